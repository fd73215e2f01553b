package notes

// Data is everything a notes template can use. All of it is known at plan
// time; the manifest digest is deliberately absent, because it is known
// only after the push and notes must not change between plan and apply.
type Data struct {
	// Chart, Version, AppVersion and Description come from Chart.yaml.
	// Description is chart-author text: templates should pass it through
	// escape.
	Chart       string
	Version     string
	AppVersion  string
	Description string
	// Repository is the OCI repository prefix, e.g. "ghcr.io/acme/charts";
	// the chart is at Repository + "/" + Chart.
	Repository string
	// Tag is the release's git tag, e.g. "podinfo-v6.1.0".
	Tag string
	// Changelog is the chart's CHANGELOG.md, nil when absent.
	Changelog []byte
	// Changes is the chart's artifacthub.io/changes annotation: a YAML list
	// of {kind, description} objects or of strings, or plain lines; "" when
	// absent.
	Changes string
	// Signing says how the chart is signed, for the verification commands.
	Signing Signing
	// GitHubRepository is "owner/name", for `gh attestation verify --repo`;
	// "" leaves that command out.
	GitHubRepository string
}

// Signing modes, as config.SigningMode spells them.
const (
	SigningNone    = "none"
	SigningKey     = "key"
	SigningKeyless = "keyless"
)

// Signing describes the chart's cosign signature as users verify it.
type Signing struct {
	// Mode is SigningNone, SigningKey or SigningKeyless; "" means none.
	Mode string
	// KeyRef is the public key users verify with (key mode), as they
	// should type it: a path such as "cosign.pub" or a KMS URI. "" means
	// "cosign.pub".
	KeyRef string
	// Issuer and SubjectRegexp are the certificate identity keyless
	// verification accepts.
	Issuer        string
	SubjectRegexp string
	// TrustedRoot is the file name of the private Sigstore's trusted root
	// (signing.trusted_root), which cosign needs as --trusted-root to
	// trust that deployment's Fulcio and Rekor; "" for Sigstore's public
	// instance. A name, not the path on the machine that released.
	TrustedRoot string
}

// Change is one entry of the artifacthub.io/changes annotation.
type Change struct {
	// Kind is "added", "changed", "fixed", ...; "" for a plain entry.
	Kind        string
	Description string
}
