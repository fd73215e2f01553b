package cosign

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sync"

	"github.com/sigstore/sigstore/pkg/signature"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/httplog"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

// ErrDisabled is returned by every operation of a Signer built for
// signing mode "none".
var ErrDisabled = errors.New("signing is off (signing mode \"none\")")

// Options configure a Signer.
type Options struct {
	// Signing is the spec's signing block: mode, key, identity, Fulcio and
	// Rekor URLs, trusted root, tlog upload. With Signing.TrustedRoot,
	// verification and the SCT check of new certificates trust that root
	// alone (FulcioRoots is then unused).
	Signing config.Signing
	// Getenv reads COSIGN_PASSWORD, ACTIONS_ID_TOKEN_REQUEST_URL and
	// ACTIONS_ID_TOKEN_REQUEST_TOKEN, SIGSTORE_ID_TOKEN, and, without
	// Credentials, what oci.NewCredentials reads. Nil means os.Getenv.
	Getenv func(string) string
	// Credentials is the registry credential chain; nil means
	// oci.NewCredentials(Getenv). Give the chain the chart pushes use
	// (oci.Client.Credentials): then a signature is pushed with the
	// credential its chart was.
	Credentials *oci.Credentials
	// HTTPClient makes the GitHub Actions OIDC token request. Nil means
	// http.DefaultClient.
	HTTPClient *http.Client
	// Transport sends registry requests, below go-containerregistry's
	// retries and authentication. Nil means go-containerregistry's
	// remote.DefaultTransport.
	Transport http.RoundTripper
	// Auth, when set, authenticates every registry request: the chart
	// client's (oci.Client), so that signatures are read and written with
	// the bearer tokens its chart requests got, one per repository scope
	// for the run, instead of go-containerregistry's token exchange per
	// repository and operation and a second oras-go token cache. Its
	// credentials are then the chart client's; Credentials is kept for
	// messages. Nil authenticates through Credentials, with
	// go-containerregistry's own bearer flow.
	Auth RegistryAuth
	// Log traces every registry and OIDC token request attempt
	// (RELCTL_LOG=debug); nil traces nothing.
	Log *httplog.Logger
	// AllowHTTPRegistry talks plain HTTP to the registry (loopback
	// registries, `insecure = true`).
	AllowHTTPRegistry bool

	// FulcioRoots are the certificate authorities keyless verification
	// trusts. Nil means Sigstore's public roots, fetched through TUF. Set it
	// only for a private Fulcio or a test CA.
	FulcioRoots *x509.CertPool
	// SkipSCT skips the certificate transparency checks: the SCT of a new
	// Fulcio certificate when signing, and the embedded SCT when verifying.
	// It exists for tests against a Fulcio stand-in without a CT log;
	// sigstoretest has one, and a trusted root that lists it.
	SkipSCT bool
	// VerifyOnly builds a Signer that only reads and verifies signatures,
	// for plan, drift and verify: they run on pull requests, where neither
	// COSIGN_PASSWORD nor an OIDC token is available. Key mode then uses the
	// public key beside the private one (cosign.key → cosign.pub) when it
	// exists; keyless mode needs no token. Signing methods return
	// ErrVerifyOnly.
	VerifyOnly bool
}

// RegistryAuth gives oras-go auth clients over a transport, sharing one
// credential chain and token cache (oci.Client does).
type RegistryAuth interface {
	AuthClient(rt http.RoundTripper) *auth.Client
}

// ErrVerifyOnly is returned by the signing methods of a VerifyOnly Signer.
var ErrVerifyOnly = errors.New("this signer only verifies: signing needs the key password or an OIDC token")

// Signer signs and verifies for one signing block. It is safe for concurrent
// use: the key is loaded once, in New.
type Signer struct {
	mode    config.SigningMode
	signing config.Signing
	opts    Options
	getenv  func(string) string
	creds   *oci.Credentials

	// Key mode: the loaded key, its public half, and the reference it came
	// from (for messages; never the key itself).
	keyRef string
	sv     signature.SignerVerifier
	pubPEM []byte
	// verifier is the public key alone, in VerifyOnly mode; nil when sv
	// verifies.
	verifier signature.Verifier

	// Verification material that may need TUF (public roots, Rekor and CT
	// log keys) is loaded on first use.
	verifyMu  sync.Mutex
	verifyMat *verifyMaterial

	// rt is the registry transport of every request (registryTransport).
	rtOnce sync.Once
	rt     http.RoundTripper
	// orasAuth is the oras-go client of every orasRepository: one token
	// cache for the run, so a registry with bearer tokens (GHCR) is asked
	// for a repository's token once, not once per write.
	orasOnce sync.Once
	orasAuth *auth.Client
}

// New builds a Signer for opts.Signing.Mode.
//
// Key mode loads and decrypts the key now, so a missing file or a wrong
// COSIGN_PASSWORD fails before anything is pushed. Keyless mode checks that
// an OIDC token source exists (GitHub Actions' token request pair, or
// SIGSTORE_ID_TOKEN) and that the identity to verify against is set; the
// token itself is requested at each signing. Mode "none" (or empty) returns a
// Signer whose methods return ErrDisabled, never a nil Signer.
func New(ctx context.Context, opts Options) (*Signer, error) {
	s := &Signer{mode: opts.Signing.Mode, signing: opts.Signing, opts: opts, getenv: opts.Getenv}
	s.opts, s.creds = withRegistry(opts)
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	// The spec loader fills these in; a Signing built by hand (a test, a
	// caller outside the loader) gets the same public-good defaults.
	if s.signing.FulcioURL == "" {
		s.signing.FulcioURL = config.DefaultFulcioURL
	}
	if s.signing.RekorURL == "" {
		s.signing.RekorURL = config.DefaultRekorURL
	}
	switch s.mode {
	case "", config.SigningNone:
		s.mode = config.SigningNone
		return s, nil
	case config.SigningKey:
		if opts.VerifyOnly {
			if ok, err := s.loadPublicKey(ctx); ok || err != nil {
				return s, err
			}
		}
		if err := s.loadKey(ctx); err != nil {
			return nil, err
		}
		return s, nil
	case config.SigningKeyless:
		if err := s.checkKeyless(); err != nil {
			return nil, err
		}
		return s, nil
	default:
		return nil, fmt.Errorf("signing mode %q: want \"keyless\", \"key\" or \"none\"", s.mode)
	}
}

// Mode is the signing mode this Signer serves ("none", "key" or "keyless").
func (s *Signer) Mode() config.SigningMode { return s.mode }

// PublicKeyPEM returns the PEM public key of key mode, to publish beside the
// signatures (release notes, `relctl demo`). It is nil in keyless and none
// modes, where there is no long-lived key.
func (s *Signer) PublicKeyPEM() []byte {
	if s == nil || s.pubPEM == nil {
		return nil
	}
	return append([]byte(nil), s.pubPEM...)
}

// checkKeyless fails early on what would otherwise only fail at the first
// signature: no token source, or no identity to verify against (without one,
// any Fulcio certificate would pass, whoever it was issued to).
func (s *Signer) checkKeyless() error {
	id := s.signing.Identity
	if id.Issuer == "" || id.SubjectRegexp == "" {
		return fmt.Errorf("keyless signing: identity { issuer, subject_regexp } must both be set, to say whose signatures verification accepts")
	}
	if _, err := regexp.Compile(id.SubjectRegexp); err != nil {
		return fmt.Errorf("keyless signing: identity subject_regexp %q: %w", id.SubjectRegexp, err)
	}
	if s.opts.VerifyOnly {
		return nil
	}
	if _, err := s.tokenSource(); err != nil {
		return err
	}
	return nil
}

// canSign is the guard of the signing operations.
func (s *Signer) canSign() error {
	if err := s.enabled(); err != nil {
		return err
	}
	if s.opts.VerifyOnly {
		return ErrVerifyOnly
	}
	return nil
}

// enabled is the guard of every operation.
func (s *Signer) enabled() error {
	if s == nil || s.mode == config.SigningNone {
		return ErrDisabled
	}
	return nil
}

// A Signer is the SignatureReader of state.Refresh.
var _ state.SignatureReader = (*Signer)(nil)
