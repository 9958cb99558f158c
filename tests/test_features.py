"""Pretrained-CNN feature extractors and the image flattener (CPU, random weights, no download)."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import estimator_checks_generator, parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from skdeepcluster import WECMMD
from skdeepcluster.features import ImageFlattener, MoCoFeatures, ResNetFeatures

TINY = dict(input_size=32, device="cpu", batch_size=4)


def tiny_resnet(**params):
    return ResNetFeatures(**{"arch": "resnet18", **TINY, "random_state": 0, **params})


@pytest.fixture(scope="module")
def images():
    """Six RGB uint8 images of 32x32 pixels, channels last."""
    return np.random.RandomState(0).randint(0, 256, (6, 32, 32, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def source(images):
    """A fitted random ResNet-18 extractor and its features of ``images``."""
    extractor = tiny_resnet(random_state=1).fit(images)
    return extractor, extractor.transform(images)


def backbone_state(extractor):
    return {name: tensor.clone() for name, tensor in extractor.backbone_.state_dict().items()}


# ----------------------------------------------------------------------------- scikit-learn API

@parametrize_with_checks(
    [ImageFlattener(), ImageFlattener(scale=0.5), tiny_resnet(), MoCoFeatures(**TINY)],
    xfail_strict=True,
)
def test_sklearn_compatible_transformer(estimator, check):
    # The CNN extractors declare image input (two_d_array=False, three_d_array=True), so
    # scikit-learn runs only its cloning check on them; every other check it runs on a 2-D
    # transformer is run directly, replaced by an image test, or exempt: see the lists below.
    check(estimator)


# Checks that need no data, or only data the extractors must refuse (1-D, sparse): run as is.
DIRECT_CHECKS = [
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimators_unfitted",
    "check_transformers_unfitted",
    "check_transformer_n_iter",
    "check_estimator_sparse_tag",
    "check_estimator_sparse_array",
    "check_estimator_sparse_matrix",
    "check_fit1d",
]

# Checks that fit on 2-D data, and the test of this file that does the same on images.
IMAGE_VERSIONS = {
    "check_fit_score_takes_y": "test_fit_returns_self_sets_attributes_and_leaves_params",
    "check_estimators_overwrite_params": "test_fit_returns_self_sets_attributes_and_leaves_params",
    "check_dont_overwrite_parameters": "test_fit_returns_self_sets_attributes_and_leaves_params",
    "check_estimators_fit_returns_self": "test_fit_returns_self_sets_attributes_and_leaves_params",
    "check_dict_unchanged": "test_fit_returns_self_sets_attributes_and_leaves_params",
    "check_fit_check_is_fitted": "test_fit_returns_self_sets_attributes_and_leaves_params",
    "check_readonly_memmap_input": "test_input_is_not_modified_and_read_only_input_works",
    "check_estimators_dtypes": "test_layouts_dtypes_and_grayscale_agree",
    "check_dtype_object": "test_layouts_dtypes_and_grayscale_agree",
    "check_f_contiguous_array_estimator": "test_layouts_dtypes_and_grayscale_agree",
    "check_transformer_data_not_an_array": "test_layouts_dtypes_and_grayscale_agree",
    "check_complex_data": "test_bad_images_raise_value_error",
    "check_estimators_empty_data_messages": "test_bad_images_raise_value_error",
    "check_estimators_nan_inf": "test_bad_images_raise_value_error",
    "check_fit2d_1feature": "test_bad_images_raise_value_error",
    "check_fit2d_predict1d": "test_bad_images_raise_value_error",
    "check_estimators_pickle": "test_fitted_transformer_pickles",
    "check_transformer_general": "test_fit_is_idempotent_and_seeded",
    "check_fit_idempotent": "test_fit_is_idempotent_and_seeded",
    "check_transformer_preserve_dtypes": "test_transform_output_and_feature_names",
    "check_fit2d_1sample": "test_results_do_not_depend_on_batch_size",
    "check_methods_sample_order_invariance": "test_results_do_not_depend_on_batch_size",
    "check_methods_subset_invariance": "test_results_do_not_depend_on_batch_size",
    "check_pipeline_consistency": "test_image_transformer_in_a_pipeline_matches_its_steps",
}

# Checks that do not apply to image transformers, and why.
EXEMPT = {
    "check_n_features_in": "n_features_in_ is defined for 2-D tabular input; any image size is "
                           "accepted (every image is resized), so it is not set",
    "check_n_features_in_after_fitting": "as check_n_features_in",
    "check_positive_only_tag_during_fit": "the positive_only tag is about 2-D data; negative "
                                          "pixel values are refused with a ValueError",
    "check_array_api_input": "inputs are converted to NumPy (torch tensors directly, see "
                             "test_torch_tensor_images_match_numpy); no other array namespace",
}


def test_every_sklearn_check_of_a_transformer_is_run_replaced_or_exempt():
    yielded = {
        getattr(check, "func", check).__name__
        for _, check in estimator_checks_generator(ImageFlattener(), legacy=True)
    }
    listed = [*DIRECT_CHECKS, *IMAGE_VERSIONS, *EXEMPT]
    assert len(listed) == len(set(listed))
    assert yielded - {"check_estimator_cloneable"} <= set(listed)
    assert all(callable(globals().get(test)) for test in IMAGE_VERSIONS.values())


@pytest.mark.parametrize("check_name", DIRECT_CHECKS)
@pytest.mark.parametrize("estimator", [tiny_resnet(), MoCoFeatures(**TINY)], ids=repr)
def test_direct_sklearn_checks_on_image_transformers(estimator, check_name):
    getattr(estimator_checks, check_name)(type(estimator).__name__, estimator)


def test_image_input_is_declared_in_tags():
    for estimator in (tiny_resnet(), MoCoFeatures()):
        tags = estimator.__sklearn_tags__()
        assert not tags.input_tags.two_d_array
        assert tags.input_tags.three_d_array
    assert ImageFlattener().__sklearn_tags__().input_tags.three_d_array


def test_fit_returns_self_sets_attributes_and_leaves_params(images):
    extractor = tiny_resnet()
    params = extractor.get_params()
    with pytest.raises(NotFittedError):
        extractor.transform(images)
    assert extractor.fit(images, np.arange(len(images))) is extractor  # y is ignored
    check_is_fitted(extractor)
    assert extractor.get_params() == params
    fitted = dict(vars(extractor))
    extractor.transform(images)
    assert vars(extractor) == fitted
    assert extractor.n_features_out_ == 512
    assert extractor.device_ == torch.device("cpu")
    assert not extractor.backbone_.training
    assert not hasattr(extractor, "n_features_in_")
    public = {name for name in vars(extractor) if not name.startswith("_")}
    assert public - set(params) == {"backbone_", "device_", "n_features_out_", "weights_digest_"}


def test_transform_output_and_feature_names(images, source):
    extractor, features = source
    assert features.shape == (6, 512) and features.dtype == np.float32
    assert np.isfinite(features).all()
    names = extractor.get_feature_names_out()
    assert names.shape == (512,) and names[0] == "resnetfeatures0"


def test_fit_is_idempotent_and_seeded(images, source):
    _, features = source
    extractor = tiny_resnet(random_state=1)
    np.testing.assert_array_equal(extractor.fit(images).transform(images), features)
    np.testing.assert_array_equal(extractor.fit(images).transform(images), features)
    assert not np.allclose(tiny_resnet(random_state=2).fit_transform(images), features)


def test_caller_random_state_is_untouched(images):
    torch.manual_seed(123)
    np.random.seed(123)
    expected = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    tiny_resnet(random_state=None).fit_transform(images)
    np.testing.assert_array_equal(torch.rand(3), expected[0])
    np.testing.assert_array_equal(np.random.rand(3), expected[1])


def test_results_do_not_depend_on_batch_size(images, source):
    extractor, features = source
    for batch_size in (1, 5, 64):
        other = tiny_resnet(random_state=1, batch_size=batch_size).fit_transform(images)
        np.testing.assert_allclose(other, features, rtol=1e-4, atol=1e-5)
    # nor on the order of the images, the subset transformed, or how many fit saw
    np.testing.assert_allclose(extractor.transform(images[::-1]), features[::-1],
                               rtol=1e-4, atol=1e-5)
    one = tiny_resnet(random_state=1).fit(images[:1])
    np.testing.assert_allclose(one.transform(images[2:3]), features[2:3], rtol=1e-4, atol=1e-5)


def test_image_transformer_in_a_pipeline_matches_its_steps(images, source):
    extractor, features = source
    pipeline = make_pipeline(clone(extractor), StandardScaler()).fit(images)
    np.testing.assert_allclose(pipeline.transform(images),
                               StandardScaler().fit_transform(features), rtol=1e-5, atol=1e-6)


def test_bfloat16_channels_last_is_close_to_float32(images, source):
    _, features = source
    extractor = tiny_resnet(random_state=1, precision="bfloat16").fit(images)
    assert extractor.backbone_.conv1.weight.dtype == torch.bfloat16
    low = extractor.transform(images)
    assert low.dtype == np.float32
    np.testing.assert_allclose(low, features, rtol=0.1, atol=0.1 * np.abs(features).max())


def test_input_is_not_modified_and_read_only_input_works(images, source):
    _, features = source
    frozen = images.copy()
    frozen.flags.writeable = False
    np.testing.assert_array_equal(source[0].transform(frozen), features)
    np.testing.assert_array_equal(frozen, images)


def test_torch_tensor_images_match_numpy(images, source):
    extractor, features = source
    tensor = torch.from_numpy(images.copy())
    np.testing.assert_array_equal(extractor.transform(tensor), features)
    np.testing.assert_array_equal(
        ImageFlattener().fit_transform(tensor), ImageFlattener().fit_transform(images)
    )


def test_fitted_transformer_pickles(images, source):
    extractor, features = source
    restored = pickle.loads(pickle.dumps(extractor))
    np.testing.assert_array_equal(restored.transform(images), features)
    np.testing.assert_array_equal(clone(extractor).fit(images).transform(images), features)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_transformer_marked_as_cuda_unpickles_on_the_cpu(images, source):
    import copy

    extractor, features = source
    marked = copy.copy(extractor)
    marked.device_ = torch.device("cuda:0")  # what a CUDA fit records
    with pytest.warns(UserWarning, match="runs on the CPU instead"):
        restored = pickle.loads(pickle.dumps(marked))
    assert restored.device_ == torch.device("cpu")
    assert marked.backbone_ is extractor.backbone_  # pickling left the live model alone
    np.testing.assert_array_equal(restored.transform(images), features)


# -------------------------------------------------------------------------------- image input

def test_layouts_dtypes_and_grayscale_agree(source):
    extractor, _ = source
    gray = np.random.RandomState(1).randint(0, 256, (3, 40, 36), dtype=np.uint8)
    expected = extractor.transform(gray)
    rgb = np.repeat(gray[..., None], 3, axis=-1)
    variants = {
        "NHW1": gray[..., None],
        "N1HW": gray[:, None],
        "NHW3": rgb,
        "N3HW": rgb.transpose(0, 3, 1, 2),
        "float64 in [0, 1]": gray / 255.0,
        "float32 in [0, 1]": (gray / 255.0).astype(np.float32),
        "object floats in [0, 1]": (gray / 255.0).astype(object),
        "int64 0-255": gray.astype(np.int64),
        "Fortran order": np.asfortranarray(rgb),
        "list": gray.tolist(),
    }
    for name, variant in variants.items():
        np.testing.assert_allclose(
            extractor.transform(variant), expected, rtol=1e-4, atol=1e-5, err_msg=name
        )


def test_channel_axis_auto_explicit_and_ambiguous(images, source):
    extractor, features = source
    first = np.ascontiguousarray(images.transpose(0, 3, 1, 2))
    for channels, X in (("last", images), ("first", first)):
        explicit = clone(extractor).set_params(channels=channels).fit(X)
        np.testing.assert_allclose(explicit.transform(X), features, rtol=1e-4, atol=1e-5)
    # Both readings of (n, 3, 16, 3) are possible; it is refused with the way out, and read
    # as asked it is a 3x16 image, too small.
    ambiguous = np.zeros((2, 3, 16, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="channels='last'"):
        extractor.transform(ambiguous)
    with pytest.raises(ValueError, match="got 3x16"):
        clone(extractor).set_params(channels="last").fit(ambiguous)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros(1024, np.uint8), "Reshape flattened images"),
        (np.zeros((4, 1024), np.uint8), "Reshape flattened images"),
        (np.zeros((4, 2, 32, 32, 3), np.uint8), "Reshape flattened images"),
        (np.zeros((4, 32, 32, 4), np.uint8), "1 \\(grayscale\\) or 3 \\(RGB\\) channels"),
        (np.zeros((4, 4, 4), np.uint8), "at least 8x8"),
        (np.zeros((0, 32, 32), np.uint8), "at least one image"),
        (np.full((2, 32, 32), 2.0), "divide 0-255 data by 255"),
        (np.full((2, 32, 32), np.nan), "NaN"),
        (np.full((2, 32, 32), np.inf), "infinity"),
        (np.full((2, 32, 32), 0.5 + 0j), "dtype complex"),
        (np.full((2, 32, 32), 300), "0-255 intensities"),
        (np.full((2, 32, 32), "a"), "dtype"),
    ],
)
def test_bad_images_raise_value_error(X, match, source):
    with pytest.raises(ValueError, match=match):
        tiny_resnet().fit(X)
    with pytest.raises(ValueError, match=match):
        source[0].transform(X)


@pytest.mark.parametrize("to_sparse", [scipy.sparse.csr_matrix, scipy.sparse.csr_array])
def test_sparse_input_raises_type_error(to_sparse, source):
    X = to_sparse(np.ones((4, 1024)))
    with pytest.raises(TypeError, match="sparse"):
        tiny_resnet().fit(X)
    with pytest.raises(TypeError, match="sparse"):
        source[0].transform(X)


def test_channel_axis_given_explicitly_must_hold_channels(images):
    with pytest.raises(ValueError, match="channels='first'"):
        tiny_resnet(channels="first").fit(images)


@pytest.mark.parametrize(
    "params",
    [
        {"input_size": 16},
        {"precision": "float16"},
        {"channels": "middle"},
        {"batch_size": 0},
        {"batch_size": True},
        {"arch": "vgg16"},
    ],
)
def test_invalid_parameters_raise_at_fit(params, images):
    extractor = tiny_resnet(**params)
    with pytest.raises(InvalidParameterError):
        extractor.fit(images)


def test_precision_set_after_fit_keeps_the_fitted_network(images, source):
    # transform runs the network fit built, as any fitted state, until the next fit
    extractor, features = source
    changed = clone(extractor).fit(images).set_params(precision="bfloat16")
    np.testing.assert_array_equal(changed.transform(images), features)


def test_invalid_device_and_memory_raise_value_error(images):
    with pytest.raises(ValueError, match="device"):
        tiny_resnet(device="tpu").fit(images)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            tiny_resnet(device="cuda:0").fit(images)
    with pytest.raises(ValueError, match="memory"):
        tiny_resnet(memory=3).fit(images)


def test_memory_caches_features(images, source, tmp_path, monkeypatch):
    _, features = source
    extractor = tiny_resnet(random_state=1, memory=str(tmp_path)).fit(images)
    calls = []
    original = ResNetFeatures._extract

    def counted(self, *args):
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(ResNetFeatures, "_extract", counted)
    for _ in range(3):
        np.testing.assert_array_equal(extractor.transform(images), features)
    assert len(calls) == 1
    other_weights = tiny_resnet(random_state=2, memory=str(tmp_path)).fit(images)
    assert not np.allclose(other_weights.transform(images), features)
    assert len(calls) == 2


# ----------------------------------------------------------------------------- weight files

def test_local_state_dict_file_is_loaded(images, source, tmp_path):
    extractor, features = source
    state = backbone_state(extractor)
    state["fc.weight"], state["fc.bias"] = torch.zeros(1000, 512), torch.zeros(1000)
    path = tmp_path / "resnet18.pth"
    torch.save(state, path)
    for weights in (str(path), path):
        loaded = tiny_resnet(weights=weights, random_state=5).fit_transform(images)
        np.testing.assert_array_equal(loaded, features)


def test_unknown_weight_names_and_missing_files(images, tmp_path):
    with pytest.raises(ValueError, match="IMAGENET1K_V1"):
        tiny_resnet(weights="NOT_A_WEIGHT_NAME").fit(images)
    with pytest.raises(FileNotFoundError):
        tiny_resnet(weights=tmp_path / "absent.pth").fit(images)


class Payload:
    """Any class: unpickling it would import and call code named by the file."""


def test_checkpoint_with_pickled_object_is_refused(images, source, tmp_path):
    path = tmp_path / "malicious.pth"
    torch.save({"state_dict": backbone_state(source[0]), "payload": Payload()}, path)
    with pytest.raises(ValueError, match="Refusing to load"):
        MoCoFeatures(path, arch="resnet18", **TINY).fit(images)
    with pytest.raises(ValueError, match="Refusing to load"):
        tiny_resnet(weights=path).fit(images)


def test_file_that_is_not_a_checkpoint_is_refused(images, tmp_path):
    path = tmp_path / "notes.pth"
    path.write_text("not a checkpoint")
    with pytest.raises(ValueError, match=str(path.name)):
        MoCoFeatures(path, arch="resnet18", **TINY).fit(images)


def prefixed(state, prefix):
    return {prefix + name: tensor for name, tensor in state.items()}


def moco_v2_checkpoint(state):
    """The layout of MoCo v1/v2's main_moco.py checkpoints (query and key encoder, MLP head)."""
    head = {"fc.0.weight": torch.randn(512, 512), "fc.0.bias": torch.randn(512),
            "fc.2.weight": torch.randn(128, 512), "fc.2.bias": torch.randn(128)}
    key_encoder = {name: torch.randn_like(t.float()).to(t.dtype) for name, t in state.items()}
    return {
        "epoch": 200,
        "arch": "resnet18",
        "state_dict": {
            **prefixed({**state, **head}, "module.encoder_q."),
            **prefixed({**key_encoder, **head}, "module.encoder_k."),
            "module.queue": torch.randn(128, 64),
            "module.queue_ptr": torch.zeros(1, dtype=torch.long),
        },
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.03, "momentum": 0.9, "params": [0]}]},
    }


def moco_v3_checkpoint(state, module="module."):
    """The layout of MoCo v3's main_moco.py checkpoints (base and momentum encoder, predictor)."""
    head = {"fc.0.weight": torch.randn(64, 512), "fc.1.weight": torch.ones(64),
            "fc.1.bias": torch.zeros(64), "fc.3.weight": torch.randn(32, 64)}
    return {
        "epoch": 100,
        "arch": "resnet18",
        "state_dict": {
            **prefixed({**state, **head}, f"{module}base_encoder."),
            **prefixed({**state, **head}, f"{module}momentum_encoder."),
            f"{module}predictor.0.weight": torch.randn(64, 32),
        },
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.6, "params": [0, 1]}]},
        "scaler": {"scale": 65536.0, "growth_factor": 2.0, "_growth_tracker": 0},
    }


@pytest.mark.parametrize(
    "layout",
    [
        lambda state: moco_v2_checkpoint(state),
        lambda state: moco_v3_checkpoint(state),
        lambda state: moco_v3_checkpoint(state, module=""),
        lambda state: prefixed(state, "encoder_q."),
    ],
    ids=["v2", "v3", "v3-without-module", "bare-state-dict"],
)
def test_moco_checkpoints_load_the_query_encoder(layout, images, source, tmp_path):
    extractor, features = source
    path = tmp_path / "checkpoint.pth.tar"
    torch.save(layout(backbone_state(extractor)), path)
    moco = MoCoFeatures(str(path), arch="resnet18", **TINY).fit(images)
    assert moco.n_features_out_ == 512
    assert moco.weights_digest_ == extractor.weights_digest_
    np.testing.assert_array_equal(moco.transform(images), features)


def test_moco_checkpoint_in_the_serialization_before_pytorch_1_6_loads(images, source, tmp_path):
    # The MoCo v1/v2 files the authors published predate PyTorch 1.6's zip format.
    extractor, features = source
    path = tmp_path / "moco_v2_800ep_pretrain.pth.tar"
    torch.save(moco_v2_checkpoint(backbone_state(extractor)), path,
               _use_new_zipfile_serialization=False)
    moco = MoCoFeatures(path, arch="resnet18", **TINY)
    np.testing.assert_array_equal(moco.fit_transform(images), features)


def test_weights_without_batchnorm_counters_load(images, source, tmp_path):
    # Files saved before PyTorch 0.4.1 lack BatchNorm's num_batches_tracked, which
    # torch's load_state_dict accepts and inference never reads.
    extractor, features = source
    state = {name: tensor for name, tensor in backbone_state(extractor).items()
             if not name.endswith(".num_batches_tracked")}
    path = tmp_path / "resnet18-2017.pth"
    torch.save(state, path)
    np.testing.assert_array_equal(tiny_resnet(weights=path).fit_transform(images), features)
    torch.save(moco_v2_checkpoint(state), path)
    moco = MoCoFeatures(path, arch="resnet18", **TINY)
    np.testing.assert_array_equal(moco.fit_transform(images), features)


def test_weights_not_keyed_by_names_are_refused(images, tmp_path):
    path = tmp_path / "numbered.pth"
    torch.save({0: torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="keyed by parameter names"):
        tiny_resnet(weights=path).fit(images)
    for checkpoint in ({0: torch.zeros(1)}, {"state_dict": {0: torch.zeros(1)}}):
        torch.save(checkpoint, path)
        with pytest.raises(ValueError, match="keyed by parameter names"):
            MoCoFeatures(path, arch="resnet18", **TINY).fit(images)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda sd: sd.pop("module.encoder_q.layer4.1.bn2.weight"), "1 missing key"),
        (lambda sd: sd.update({"module.encoder_q.layer5.weight": torch.ones(1)}), "unexpected"),
        (lambda sd: sd.update({"module.encoder_q.conv1.weight": torch.ones(1)}), "wrong shape"),
    ],
    ids=["missing", "unexpected", "shape"],
)
def test_moco_backbone_key_mismatch_is_refused(edit, match, images, source, tmp_path):
    checkpoint = moco_v2_checkpoint(backbone_state(source[0]))
    edit(checkpoint["state_dict"])
    path = tmp_path / "checkpoint.pth.tar"
    torch.save(checkpoint, path)
    with pytest.raises(ValueError, match=match):
        MoCoFeatures(path, arch="resnet18", **TINY).fit(images)


def test_moco_checkpoint_errors(images, source, tmp_path):
    with pytest.raises(ValueError, match="needs checkpoint"):
        MoCoFeatures(**TINY).fit(images)
    path = tmp_path / "checkpoint.pth.tar"
    torch.save(moco_v2_checkpoint(backbone_state(source[0])), path)
    with pytest.raises(ValueError, match="arch='resnet18'"):
        MoCoFeatures(path, arch="resnet34", **TINY).fit(images)
    torch.save({"state_dict": backbone_state(source[0])}, path)
    with pytest.raises(ValueError, match="no MoCo query encoder"):
        MoCoFeatures(path, arch="resnet18", **TINY).fit(images)


def test_importing_the_package_does_not_import_torchvision():
    code = (
        "import sys, skdeepcluster, skdeepcluster.features; "
        "assert 'torchvision' not in sys.modules, 'torchvision imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


# ---------------------------------------------------------------------------- ImageFlattener

def test_image_flattener_scales_uint8_and_keeps_floats():
    images = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4) * 8
    flat = ImageFlattener().fit_transform(images)
    assert flat.shape == (2, 16) and flat.dtype == np.float32
    np.testing.assert_allclose(flat, images.reshape(2, -1) / 255, rtol=1e-6)
    floats = np.random.RandomState(0).rand(3, 5, 5, 3)
    np.testing.assert_allclose(ImageFlattener().fit_transform(floats), floats.reshape(3, -1),
                               rtol=1e-6)
    np.testing.assert_allclose(ImageFlattener(scale=0.5).fit_transform(images),
                               images.reshape(2, -1) * 0.5)


def test_image_flattener_refuses_a_bool_scale():
    with pytest.raises(InvalidParameterError, match="not a bool"):
        ImageFlattener(scale=True).fit(np.zeros((2, 4, 4), dtype=np.uint8))


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint16])
def test_image_flattener_reads_0_255_data_of_any_dtype_as_intensities(dtype):
    # fetch_openml("mnist_784") gives float64 pixels in 0-255
    images = (np.arange(2 * 4 * 4).reshape(2, 4, 4) * 8).astype(dtype)
    flattener = ImageFlattener().fit(images)
    assert flattener.scale_ == pytest.approx(1 / 255)
    np.testing.assert_allclose(flattener.transform(images), images.reshape(2, -1) / 255,
                               rtol=1e-6)
    # the factor is the one fixed at fit, whatever a later batch holds
    np.testing.assert_allclose(flattener.transform(np.ones((1, 16))), 1 / 255, rtol=1e-6)


@pytest.mark.parametrize("data", [np.linspace(-3, 3, 32), np.linspace(0, 300, 32),
                                  np.linspace(0, 1, 32)])
def test_image_flattener_keeps_data_that_is_not_0_255_intensities(data):
    flattener = ImageFlattener().fit(data.reshape(2, 4, 4))
    assert flattener.scale_ == 1
    np.testing.assert_allclose(flattener.transform(data.reshape(2, 4, 4)), data.reshape(2, -1),
                               rtol=1e-6)


def test_image_flattener_checks_pixel_count():
    flattener = ImageFlattener().fit(np.zeros((2, 4, 4)))
    assert flattener.n_features_in_ == 16
    assert flattener.transform(np.zeros((3, 16))).shape == (3, 16)
    with pytest.raises(ValueError, match="expecting 16 features"):
        flattener.transform(np.zeros((2, 5, 5)))


def test_image_flattener_feeds_an_mlp_clusterer():
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images[:150] * 15).astype(np.uint8)  # 0-240 uint8 "MNIST-like"
    model = make_pipeline(
        ImageFlattener(),
        WECMMD(n_clusters=3, hidden_dims=(16,), latent_dim=3, pretrain_epochs=2, max_epochs=2,
               batch_size=32, device="cpu", random_state=0),
    )
    labels = model.fit_predict(images)
    assert labels.shape == (150,)
    np.testing.assert_array_equal(model.predict(images), labels)
