# Least privilege for the pipeline: read/write inside the lake prefix only, consume the event queue.

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "ListLakePrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.lake.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.lake_prefix}/*", "${var.lake_prefix}"]
    }
  }

  statement {
    sid    = "ReadWriteLakeObjects"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${aws_s3_bucket.lake.arn}/${var.lake_prefix}/*"]
  }

  statement {
    sid       = "UseBucketKey"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["arn:aws:kms:${var.region}:${data.aws_caller_identity.current.account_id}:alias/aws/s3"]
  }

  statement {
    sid    = "ConsumeRawEvents"
    effect = "Allow"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
    ]
    resources = [aws_sqs_queue.raw_events.arn]
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_policy" "pipeline" {
  name        = "${var.bucket_name}-pipeline"
  description = "nashra pipeline: lake prefix read/write and raw-event queue consumption."
  policy      = data.aws_iam_policy_document.pipeline.json
}

data "aws_iam_policy_document" "assume_pipeline" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.pipeline_principal_arns
    }
  }
}

resource "aws_iam_role" "pipeline" {
  name               = "${var.bucket_name}-pipeline"
  assume_role_policy = data.aws_iam_policy_document.assume_pipeline.json
}

resource "aws_iam_role_policy_attachment" "pipeline" {
  role       = aws_iam_role.pipeline.name
  policy_arn = aws_iam_policy.pipeline.arn
}
