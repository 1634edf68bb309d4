# One image for the API and the worker; the command picks which.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY workflows ./workflows
COPY activities ./activities
COPY models ./models
COPY storage ./storage
COPY telemetry ./telemetry
COPY web ./web
COPY settings.py worker.py launcher.py startup.py ./
RUN pip install --no-cache-dir .
ENV SYMPHAINY_DATA_DIR=/data
CMD ["python", "worker.py"]
