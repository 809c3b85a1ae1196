"""`/api/v1/jobs/{id}`: a background job's progress and result."""

from django.shortcuts import get_object_or_404
from ninja import Router

from becoming.api.schemas import Error, JobOut

from .models import Job

OPERATION_GROUP = "routes"
router = Router(tags=["jobs"])


@router.get("/jobs/{job_id}", response={200: JobOut, 404: Error})
def get_job(request, job_id: int):
    return get_object_or_404(Job, workspace=request.workspace, pk=job_id)
