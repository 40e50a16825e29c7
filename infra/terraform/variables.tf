variable "region" {
  description = "AWS region of the lake bucket and the event queue."
  type        = string
  default     = "eu-west-3"
}

variable "bucket_name" {
  description = "Name of the lake bucket (NASHRA_LAKE_URI = s3://<bucket_name>/<lake_prefix>)."
  type        = string
}

variable "lake_prefix" {
  description = "Key prefix of the lake inside the bucket, without slashes."
  type        = string
  default     = "lake"
}

variable "raw_transition_days" {
  description = "Days after which raw WARC archives move to Glacier Instant Retrieval (still replayable)."
  type        = number
  default     = 30
}

variable "raw_expiration_days" {
  description = "Days after which raw WARC archives are deleted; 0 keeps them forever."
  type        = number
  default     = 0
}

variable "pipeline_principal_arns" {
  description = "IAM principals (Airflow worker roles, e.g. an EKS service-account role) allowed to assume the pipeline role."
  type        = list(string)
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = { project = "nashra" }
}
