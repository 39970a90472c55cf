// Logs (pino) and Prometheus metrics, shared by the HTTP API, the Kafka side and ingestion.
export * from './logger';
export * from './metrics';
