package sigstoretest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Identity is what a token claims: the issuer and, for GitHub Actions, the
// workflow (job_workflow_ref, "owner/repo/.github/workflows/f.yaml@ref"),
// which Fulcio turns into the certificate's URI SAN.
type Identity struct {
	Issuer      string
	WorkflowRef string
}

// Subject is the URI SAN Fulcio writes for id, as it does for GitHub:
// https://github.com/ + job_workflow_ref.
func (id Identity) Subject() string { return "https://github.com/" + id.WorkflowRef }

// claims are those of a GitHub Actions token that Fulcio reads.
type claims struct {
	jwt.Claims
	JobWorkflowRef string `json:"job_workflow_ref,omitempty"`
}

// issuer mints RS256 tokens with one key; the Fulcio stand-in trusts that
// key, whatever issuer a token claims (a real Fulcio fetches each
// configured issuer's keys; a test needs tokens of other issuers too).
type issuer struct {
	key *rsa.PrivateKey
	sig jose.Signer
}

func newIssuer() (*issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, nil)
	if err != nil {
		return nil, err
	}
	return &issuer{key: key, sig: sig}, nil
}

func (i *issuer) mint(id Identity, audience string) (string, error) {
	now := time.Now()
	return jwt.Signed(i.sig).Claims(claims{
		Claims: jwt.Claims{
			Issuer:   id.Issuer,
			Subject:  "repo:" + id.WorkflowRef,
			Audience: jwt.Audience{audience},
			IssuedAt: jwt.NewNumericDate(now),
			Expiry:   jwt.NewNumericDate(now.Add(10 * time.Minute)),
		},
		JobWorkflowRef: id.WorkflowRef,
	}).Serialize()
}

// verify checks a token's signature, audience and lifetime and returns its
// claims, as Fulcio does before certifying anything.
func (i *issuer) verify(raw string) (*claims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("not a JWT: %w", err)
	}
	var c claims
	if err := tok.Claims(&i.key.PublicKey, &c); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if err := c.Claims.ValidateWithLeeway(jwt.Expected{AnyAudience: jwt.Audience{"sigstore"}, Time: time.Now()}, time.Minute); err != nil {
		return nil, err
	}
	if c.JobWorkflowRef == "" {
		return nil, errors.New("no job_workflow_ref claim")
	}
	return &c, nil
}

// Token returns a token for id with audience "sigstore", as
// SIGSTORE_ID_TOKEN would hold.
func (s *Sigstore) Token(id Identity) (string, error) { return s.oidc.mint(id, "sigstore") }

// Actions is a GitHub Actions token request endpoint.
type Actions struct {
	// Env holds ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, as a job with
	// `permissions: id-token: write` has them.
	Env map[string]string
	// Requests counts the tokens handed out.
	Requests atomic.Int32
}

// Actions serves tokens for id the way the Actions runtime does: GET the
// request URL with the request token as bearer and an audience parameter;
// the answer is {"value": "<jwt>"} minted for that audience.
func (s *Sigstore) Actions(id Identity) *Actions {
	a := &Actions{}
	requestToken := rand.Text()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "bearer "+requestToken {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		aud := r.URL.Query().Get("audience")
		if aud == "" {
			aud = "https://github.com/acme"
		}
		tok, err := s.oidc.mint(id, aud)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		a.Requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"value": tok})
	}))
	s.srvs = append(s.srvs, srv)
	a.Env = map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   srv.URL + "/_apis/distributedtask/idtoken?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": requestToken,
	}
	return a
}
