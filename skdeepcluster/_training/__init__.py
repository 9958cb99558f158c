"""Private skorch glue: device-resident batches, the phase net, callbacks, inference."""
