"""Parameter validation stricter than scikit-learn's about booleans."""

from ._sklearn_compat import Interval, InvalidParameterError, make_constraint


class RejectBoolNumbersMixin:
    """Refuse ``True``/``False`` for parameters that only numeric intervals accept.

    ``bool`` is a subclass of ``int``, so scikit-learn's ``Interval(Integral, 1, None)`` accepts
    ``n_clusters=True``, which then fails deep inside NumPy or torch with a message about
    something else (scikit-learn's own ``KMeans`` fails the same way). With this mixin a
    boolean passes only where some constraint other than a numeric interval accepts it
    (``"boolean"``, ``"verbose"``, ``bool``); anywhere else it raises
    ``InvalidParameterError`` at ``fit``.
    """

    def _validate_params(self):
        super()._validate_params()
        params = self.get_params(deep=False)
        for name, constraints in self._parameter_constraints.items():
            value = params.get(name)
            if not isinstance(value, bool) or not isinstance(constraints, list):
                continue
            accepting = [
                constraint
                for constraint in map(make_constraint, constraints)
                if constraint.is_satisfied_by(value)
            ]
            if all(isinstance(constraint, Interval) for constraint in accepting):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be a number, not "
                    f"a bool; got {value!r}."
                )
