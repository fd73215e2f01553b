package cosign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/sigstore/fulcio/pkg/api"
)

const (
	githubIssuer    = "https://token.actions.githubusercontent.com"
	workflowSubject = "https://github.com/acme/charts/.github/workflows/release.yaml@refs/heads/release"
)

// Fulcio's certificate extensions: the OIDC issuer, raw (v1, which cosign's
// identity check reads) and as a DER UTF8String (v2, for sigstore-go).
var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
)

// fakeFulcio stands in for Fulcio's legacy API: a throwaway root CA that
// certifies any public key it is sent for the workflow identity, provided
// the request carries the expected OIDC token.
type fakeFulcio struct {
	URL   string
	Roots *x509.CertPool
	// Requests counts certificate requests answered.
	Requests atomic.Int32
}

func startFakeFulcio(t *testing.T, wantToken string) *fakeFulcio {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "relctl test Fulcio root"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFulcio{Roots: x509.NewCertPool()}
	f.Roots.AddCert(ca)
	subject, _ := url.Parse(workflowSubject)
	issuerV2, err := asn1.MarshalWithParams(githubIssuer, "utf8")
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/signingCert" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+wantToken {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var req api.CertificateRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		block, _ := pem.Decode(req.PublicKey.Content)
		if block == nil {
			http.Error(w, "no public key", http.StatusBadRequest)
			return
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		leafTmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()),
			NotBefore:    time.Now().Add(-time.Minute),
			NotAfter:     time.Now().Add(10 * time.Minute),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
			URIs:         []*url.URL{subject},
			ExtraExtensions: []pkix.Extension{
				{Id: oidIssuerV1, Value: []byte(githubIssuer)},
				{Id: oidIssuerV2, Value: issuerV2},
			},
		}
		leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, pub, caKey)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f.Requests.Add(1)
		w.Header().Set("Content-Type", "application/pem-certificate-chain")
		w.WriteHeader(http.StatusCreated)
		pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: leafDER})
		pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// newOIDCToken returns an RS256 JWS shaped like a GitHub Actions token.
// Nothing verifies its signature offline; cosign only reads its claims.
func newOIDCToken(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   githubIssuer,
		Subject:  "repo:acme/charts:ref:refs/heads/release",
		Audience: jwt.Audience{"sigstore"},
		IssuedAt: jwt.NewNumericDate(time.Now()),
		Expiry:   jwt.NewNumericDate(time.Now().Add(10 * time.Minute)),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fakeActionsOIDC stands in for the GitHub Actions token request endpoint:
// it hands out token to a caller that presents requestToken and asks for
// audience "sigstore".
type fakeActionsOIDC struct {
	URL      string
	Requests atomic.Int32
}

func startFakeActionsOIDC(t *testing.T, requestToken, token string) *fakeActionsOIDC {
	t.Helper()
	f := &fakeActionsOIDC{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "bearer "+requestToken {
			http.Error(w, `{"message":"bad request token"}`, http.StatusForbidden)
			return
		}
		if r.URL.Query().Get("audience") != "sigstore" {
			http.Error(w, `{"message":"audience must be sigstore"}`, http.StatusBadRequest)
			return
		}
		f.Requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"value": token})
	}))
	t.Cleanup(srv.Close)
	// The runtime's URL already carries a query, as GitHub's does.
	f.URL = srv.URL + "/idtoken?api-version=2.0"
	return f
}
