"""Long simulations run here (Celery; in-process on the embedded default)."""
from celery import shared_task

from .services import simulation_compute


@shared_task(acks_late=True)
def run_simulation(simulation_id: int) -> str | None:
    """Takes the id, computes, stores results and progress on the row."""
    simulation = simulation_compute(simulation_id=simulation_id)
    return simulation.status if simulation else None
