"""跨系统转接: the models of this work system."""
