"""One-key taxi: rides, the dispatch queue, ride notifications, the dispatch console."""
