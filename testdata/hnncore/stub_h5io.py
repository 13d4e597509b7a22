def write_hdf5(*a,**k): raise NotImplementedError
def read_hdf5(*a,**k): raise NotImplementedError
