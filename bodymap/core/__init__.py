"""Pure model layer: numpy (and scipy) only; never Qt, VTK or h5py."""
