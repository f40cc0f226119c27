"""The words of a status page: statuses, impacts and their labels."""

from __future__ import annotations

STATUS_LABELS = {
    "operational": "Operational", "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage", "major_outage": "Major outage",
    "under_maintenance": "Under maintenance", "investigating": "Investigating",
    "identified": "Identified", "monitoring": "Monitoring", "resolved": "Resolved",
    "scheduled": "Scheduled", "in_progress": "In progress", "verifying": "Verifying",
    "completed": "Completed", "cancelled": "Cancelled",
}
IMPACT_LABELS = {"none": "No impact", "minor": "Minor", "major": "Major", "critical": "Critical",
                 "maintenance": "Maintenance"}
