package cosign

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/signature"
)

const (
	actionsURLEnv   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	actionsTokenEnv = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	sigstoreIDEnv   = "SIGSTORE_ID_TOKEN"
	// Fulcio accepts GitHub tokens minted for this audience only.
	sigstoreAudience = "sigstore"
)

type tokenSource int

const (
	tokenFromActions tokenSource = iota + 1
	tokenFromEnv
)

func (t tokenSource) String() string {
	if t == tokenFromActions {
		return "GitHub Actions"
	}
	return sigstoreIDEnv
}

// tokenSource prefers GitHub Actions' token request, which mints a fresh
// token per signature, over a SIGSTORE_ID_TOKEN that may have expired.
func (s *Signer) tokenSource() (tokenSource, error) {
	if s.getenv(actionsURLEnv) != "" && s.getenv(actionsTokenEnv) != "" {
		return tokenFromActions, nil
	}
	if s.getenv(sigstoreIDEnv) != "" {
		return tokenFromEnv, nil
	}
	return 0, errors.New("keyless signing needs an OIDC token: run in GitHub Actions with `permissions: id-token: write`" +
		" (which sets " + actionsURLEnv + " and " + actionsTokenEnv + "), or set " + sigstoreIDEnv)
}

// keylessSigner makes an ephemeral key and has Fulcio certify it for the
// workflow's identity, as `cosign sign` does for each signature. The
// certificate lives ten minutes: it is never reused across calls.
//
// The request goes through relctl's HTTP client (fulcioClient), and the
// certificate's SCT is checked against the CT log keys verification
// trusts: the spec's trusted_root when set, else Sigstore's through TUF.
func (s *Signer) keylessSigner(ctx context.Context) (*certSigner, error) {
	token, src, err := s.idToken(ctx)
	if err != nil {
		return nil, err
	}
	priv, err := cosignpkg.GeneratePrivateKey()
	if err != nil {
		return nil, fmt.Errorf("generate an ephemeral signing key: %w", err)
	}
	sv, err := signature.LoadECDSASignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("generate an ephemeral signing key: %w", err)
	}
	client, err := s.fulcioClient(ctx)
	if err != nil {
		return nil, err
	}
	// "token": use the token as is; never open a browser or device flow.
	resp, err := getCert(sv, token, client)
	if err != nil {
		return nil, fmt.Errorf("get a signing certificate from Fulcio at %s (OIDC token from %s): %w",
			s.signing.FulcioURL, src, redact(err, token))
	}
	fs := &certSigner{SignerVerifier: sv, Cert: resp.CertPEM, Chain: resp.ChainPEM, SCT: resp.SCT}
	if s.opts.SkipSCT {
		return fs, nil
	}
	mat, err := s.material(ctx)
	if err != nil {
		return nil, err
	}
	if err := cosignpkg.VerifySCT(ctx, fs.Cert, fs.Chain, fs.SCT, mat.ctKeys); err != nil {
		return nil, fmt.Errorf("the certificate from Fulcio at %s has no valid SCT from a trusted CT log (%s): %w",
			s.signing.FulcioURL, s.trustSource(), err)
	}
	return fs, nil
}

// idToken returns an OIDC token for audience "sigstore".
func (s *Signer) idToken(ctx context.Context) (string, tokenSource, error) {
	src, err := s.tokenSource()
	if err != nil {
		return "", 0, err
	}
	var token string
	if src == tokenFromActions {
		token, err = s.actionsToken(ctx)
		if err != nil {
			return "", src, err
		}
	} else {
		token = s.getenv(sigstoreIDEnv)
	}
	// cosign takes a token that does not parse as an RS256 JWS for a file
	// path and tries to open it, which would print the token in the error.
	if _, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256}); err != nil {
		return "", src, fmt.Errorf("the OIDC token from %s is not an RS256-signed JWT", src)
	}
	return token, src, nil
}

// actionsToken asks the GitHub Actions runtime for a token, as
// actions/toolkit's getIDToken does: GET the request URL with
// audience=sigstore and the request token as bearer.
func (s *Signer) actionsToken(ctx context.Context) (string, error) {
	raw, bearer := s.getenv(actionsURLEnv), s.getenv(actionsTokenEnv)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("request an OIDC token from GitHub Actions: %s is not a URL", actionsURLEnv)
	}
	where := u.Scheme + "://" + u.Host
	q := u.Query()
	q.Set("audience", sigstoreAudience)
	u.RawQuery = q.Encode()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("request an OIDC token from GitHub Actions (%s): %w", where, err)
	}
	req.Header.Set("Authorization", "bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	client := s.opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// url.Error repeats the whole URL; the host is enough to say where.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", fmt.Errorf("request an OIDC token from GitHub Actions (%s): %w", where, redact(err, bearer))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("request an OIDC token from GitHub Actions (%s): read the response: %w", where, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("request an OIDC token from GitHub Actions (%s): HTTP %d: %s (does the job have `permissions: id-token: write`?)",
			where, resp.StatusCode, redactString(truncate(strings.TrimSpace(string(body)), 200), bearer))
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", fmt.Errorf("request an OIDC token from GitHub Actions (%s): the response has no \"value\"", where)
	}
	return out.Value, nil
}
