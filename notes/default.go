package notes

// fence opens and closes code blocks; a Go raw string cannot hold it.
const fence = "```"

// Default is the built-in notes template, the layout of the workflow relctl
// replaces: title, description, changelog, install and verify commands.
// Besides Data fields it uses the functions Render provides. Kept in the
// notes, not the digest: see Data.
const Default = `## {{escape .Chart}} v{{escape .Version}}
{{- with .Description}}

{{escape .}}
{{- end}}

### Changelog

{{changelog}}

### Installation

` + fence + `bash
helm install {{sh .Chart}} {{sh (printf "oci://%s/%s" .Repository .Chart)}} --version {{sh .Version}}
` + fence + `

### Verification
{{- if eq .Signing.Mode "none"}}

This chart is not signed.
{{- end}}
{{- if or (ne .Signing.Mode "none") .GitHubRepository}}

` + fence + `bash
{{- if eq .Signing.Mode "key"}}
cosign verify --key {{sh .Signing.KeyRef}}{{with .Signing.TrustedRoot}} --trusted-root {{sh .}}{{end}} {{sh ociRef}}
{{- else if eq .Signing.Mode "keyless"}}
cosign verify --certificate-oidc-issuer {{sh .Signing.Issuer}} --certificate-identity-regexp {{sh .Signing.SubjectRegexp}}{{with .Signing.TrustedRoot}} --trusted-root {{sh .}}{{end}} {{sh ociRef}}
{{- end}}
{{- with .GitHubRepository}}
gh attestation verify {{sh (printf "oci://%s" ociRef)}} --repo {{sh .}}
{{- end}}
` + fence + `
{{- end}}
`
