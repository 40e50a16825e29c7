# Raw batches dropped into the bucket by any producer notify this queue; Airflow's AssetWatcher
# (SqsSensorTrigger) turns the messages into Asset events that start processing.

resource "aws_sqs_queue" "raw_events_dlq" {
  name                      = "${var.bucket_name}-raw-events-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "raw_events" {
  name                       = "${var.bucket_name}-raw-events"
  visibility_timeout_seconds = 300
  message_retention_seconds  = 345600
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.raw_events_dlq.arn
    maxReceiveCount     = 5
  })
}

data "aws_iam_policy_document" "raw_events_from_s3" {
  statement {
    sid       = "AllowLakeBucketNotifications"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.raw_events.arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.lake.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "raw_events" {
  queue_url = aws_sqs_queue.raw_events.id
  policy    = data.aws_iam_policy_document.raw_events_from_s3.json
}

resource "aws_s3_bucket_notification" "raw_batches" {
  bucket = aws_s3_bucket.lake.id
  queue {
    queue_arn     = aws_sqs_queue.raw_events.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "${var.lake_prefix}/raw/"
    filter_suffix = ".warc.gz"
  }
  depends_on = [aws_sqs_queue_policy.raw_events]
}
