"""Pure layer pipelines: source frames in, layer frames and indicator rows out."""
