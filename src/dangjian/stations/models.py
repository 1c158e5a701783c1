"""党员服务站: the models of this work system."""
