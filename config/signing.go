package config

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Defaults of the signing block: the public-good Sigstore instance and the
// OIDC issuer of GitHub Actions, where relctl is meant to run.
const (
	DefaultFulcioURL = "https://fulcio.sigstore.dev"
	DefaultRekorURL  = "https://rekor.sigstore.dev"
	DefaultIssuer    = "https://token.actions.githubusercontent.com"
)

// passThroughKeyPrefixes mark signing keys that are not files: cosign
// resolves them itself (environment variables, KMS providers), so they are
// kept exactly as written.
var passThroughKeyPrefixes = []string{
	"env://", "awskms://", "gcpkms://", "azurekms://", "hashivault://", "k8s://",
}

// pkcs11Prefix starts a PKCS#11 URI (RFC 7512). cosign reads those only when
// built with cgo and the pkcs11key tag, which relctl is not: such a key
// would pass every check and fail at the first signature, after the push.
const pkcs11Prefix = "pkcs11:"

// signing decodes the signing block. Without one, nothing is signed.
func (l *loader) signing(b *hcl.Block) Signing {
	if b == nil {
		return Signing{Mode: SigningNone}
	}
	content, nested, diags := blockContent(b, signingSchema)
	l.diags = append(l.diags, diags...)
	identity, diags := onlyOne(nested["identity"])
	l.diags = append(l.diags, diags...)

	r := l.attrReader(content.Attributes, b.DefRange)
	s := Signing{
		// A signing block means "sign": keyless is the default because it
		// needs no secret to manage in CI.
		Mode:        SigningMode(r.enum("mode", string(SigningKeyless), string(SigningKeyless), string(SigningKey), string(SigningNone))),
		FulcioURL:   l.serviceURL(r, "fulcio_url", DefaultFulcioURL),
		RekorURL:    l.serviceURL(r, "rekor_url", DefaultRekorURL),
		TrustedRoot: l.trustedRoot(r),
		TlogUpload:  r.boolean("tlog_upload", true),
		Format:      SignatureFormat(r.enum("format", string(FormatLegacy), string(FormatLegacy), string(FormatBundle), string(FormatBoth))),
		OnFailure:   SigningFailurePolicy(r.enum("on_failure", string(SigningFailureFail), string(SigningFailureFail), string(SigningFailureWarn))),
		Provenance:  r.boolean("provenance", false),
		DeclRange:   b.DefRange,
	}
	if s.Provenance && s.Mode == SigningNone {
		l.errorf(r.rangeOf("provenance"), "Provenance needs signing",
			"provenance = true attests each chart with a signed SLSA provenance, signed as the chart is: with mode = \"none\" nothing signs it. Set mode = \"key\" or \"keyless\", or remove provenance.")
	}

	if s.Mode == "" {
		// An invalid mode was reported; which settings it needs is unknown.
		return s
	}
	key := r.str("key", "")
	switch {
	case r.ok("key") && strings.TrimSpace(key) == "":
		l.errorf(r.rangeOf("key"), "Invalid signing key", "The key must not be empty.")
	case r.ok("key") && isPKCS11(key):
		l.refusePKCS11(r.rangeOf("key"))
	case r.ok("key"):
		s.Key = l.resolveKey(key)
	case s.Mode == SigningKey && !r.isSet("key"):
		l.errorf(r.rangeOf("mode"), "Missing signing key",
			"mode = \"key\" signs with a cosign private key, so the signing block needs a key: a file path relative to %s (for example key = \"cosign.key\"), env://VAR for a key held in an environment variable, or a KMS reference such as awskms:///alias/charts. The key's password is read from COSIGN_PASSWORD.",
			FileName)
	}

	if pub := r.str("public_key", ""); r.ok("public_key") {
		switch {
		case strings.TrimSpace(pub) == "":
			l.errorf(r.rangeOf("public_key"), "Invalid public key", "The public key must not be empty.")
		case isPKCS11(pub):
			l.refusePKCS11(r.rangeOf("public_key"))
		default:
			s.PublicKey = l.resolveKey(pub)
		}
	}

	if s.Mode == SigningKeyless || identity != nil {
		s.Identity = l.identity(identity, s.Mode, b.DefRange)
	}
	return s
}

func isPKCS11(key string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(key)), pkcs11Prefix)
}

func (l *loader) refusePKCS11(at *hcl.Range) {
	l.errorf(at, "Unsupported signing key",
		"pkcs11 keys are not supported: use a file, env:// or a KMS key.")
}

// identity decodes the identity block (nil when absent). Keyless signing
// needs subject_regexp: without it any certificate from the issuer (any
// repository's workflow) would verify.
func (l *loader) identity(b *hcl.Block, mode SigningMode, signing hcl.Range) Identity {
	id := Identity{Issuer: DefaultIssuer}
	missingAt := signing.Ptr()
	var r *attrReader
	if b != nil {
		content, diags := b.Body.Content(identitySchema)
		l.diags = append(l.diags, diags...)
		r = l.attrReader(content.Attributes, b.DefRange)
		id.Issuer = r.str("issuer", DefaultIssuer)
		id.SubjectRegexp = r.str("subject_regexp", "")
		missingAt = b.DefRange.Ptr()
		if r.isSet("subject_regexp") {
			if !r.ok("subject_regexp") {
				return id
			}
			if _, err := regexp.Compile(id.SubjectRegexp); err != nil {
				l.errorf(r.rangeOf("subject_regexp"), "Invalid subject_regexp",
					"subject_regexp must be a Go regular expression (RE2 syntax): %s.", err)
			}
			return id
		}
	}
	if mode == SigningKeyless {
		l.errorf(missingAt, "Missing identity subject_regexp",
			"Keyless signatures are verified against the identity in the signer's certificate. subject_regexp is a regular expression that certificate subject must match; for GitHub Actions the subject is the workflow's URL, so a repository's workflows match:\n\n  identity {\n    subject_regexp = \"^https://github.com/acme/charts/\"\n  }")
	}
	return id
}

// resolveKey makes a key file path absolute (relative to the spec
// directory) and keeps references cosign resolves itself unchanged.
func (l *loader) resolveKey(key string) string {
	for _, p := range passThroughKeyPrefixes {
		if strings.HasPrefix(key, p) {
			return key
		}
	}
	if filepath.IsAbs(key) {
		return filepath.Clean(key)
	}
	return filepath.Join(l.dir, filepath.FromSlash(key))
}

// serviceURL reads a Sigstore service URL, which must be absolute http(s).
func (l *loader) serviceURL(r *attrReader, name, def string) string {
	raw := r.str(name, def)
	if !r.ok(name) {
		return def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		l.errorf(r.rangeOf(name), "Invalid "+name,
			"%s must be an absolute http or https URL, like %q.", name, def)
		return def
	}
	return strings.TrimSuffix(raw, "/")
}
