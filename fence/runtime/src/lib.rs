//! placeholder: the fence runtime is being written
