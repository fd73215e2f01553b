# A monorepo publishing three charts to GHCR and GitHub Releases.
#
#   relctl plan                       # on pull requests
#   relctl apply --auto-approve       # on merge to the release branch
#
# `relctl demo` runs this spec against an in-process registry and GitHub
# emulator, overriding the variables below.

variable "owner" {
  description = "GitHub organisation that owns the charts repository"
  default     = "acme"
}

variable "registry" {
  description = "OCI repository the charts are pushed under"
  default     = "ghcr.io/acme/charts"
}

variable "signing_mode" {
  description = "keyless in GitHub Actions; key for a cosign key pair"
  default     = "keyless"
  validation {
    condition     = contains(["keyless", "key", "none"], var.signing_mode)
    error_message = "signing_mode must be keyless, key or none."
  }
}

variable "pages_url" {
  description = "the GitHub Pages site of the charts repository: what users `helm repo add`"
  default     = "https://acme.github.io/charts"
}

variable "tlog_upload" {
  description = "record signatures in the Rekor transparency log (false for air-gapped setups)"
  type        = bool
  default     = true
}

registry {
  repository  = lower(var.registry)
  on_conflict = "fail"
}

github {
  repository        = "${var.owner}/charts"
  make_latest       = false
  on_asset_conflict = "fail"
  update_notes      = true
}

signing {
  mode        = var.signing_mode
  key         = "cosign.key"
  tlog_upload = var.tlog_upload
  identity {
    issuer         = "https://token.actions.githubusercontent.com"
    subject_regexp = "^https://github.com/${var.owner}/charts/"
  }
}

charts {
  dir = "charts"
}

release {
  tag    = "${chart.name}-v${chart.version}"
  title  = "${chart.name}: v${chart.version}"
  assets = ["CHANGELOG.md", "README.md", "LICENSE"]
  atomic = true
}

# The classic chart repository: relctl keeps each chart version's entry in
# index.yaml on the gh-pages branch, pointing at the release's .tgz.
helm_repository {
  url = var.pages_url
}
