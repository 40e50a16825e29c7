output "lake_uri" {
  description = "NASHRA_LAKE_URI for the pipeline."
  value       = "s3://${aws_s3_bucket.lake.bucket}/${var.lake_prefix}"
}

output "raw_events_queue_url" {
  description = "NASHRA_SQS_QUEUE_URL: the queue the AssetWatcher reads."
  value       = aws_sqs_queue.raw_events.id
}

output "pipeline_role_arn" {
  description = "Role the Airflow workers assume (aws_default connection or IRSA)."
  value       = aws_iam_role.pipeline.arn
}
