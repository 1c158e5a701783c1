"""工作台: the landing page. It reads every app, so it sits above them all (docs/architecture.md,
Layers); `core` below knows none of them."""
