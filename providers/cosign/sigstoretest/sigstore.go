package sigstoretest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// GitHubIssuer is the OIDC issuer of GitHub Actions tokens; the stand-in
// issues tokens that claim it, as a private Fulcio configured for GitHub
// would accept.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// Sigstore is a running private Sigstore: Fulcio, Rekor, a CT log key and
// an OIDC token issuer, all on loopback.
type Sigstore struct {
	FulcioURL string
	RekorURL  string
	// TrustedRoot is the path of the trusted_root.json that trusts this
	// deployment's CA and log keys, and nothing else.
	TrustedRoot string

	oidc   *issuer
	fulcio *fulcio
	rekor  *rekor
	ctKey  *ecdsa.PrivateKey
	srvs   []*httptest.Server
}

// Start runs the deployment and writes its trusted root into dir. Close
// stops the servers.
func Start(dir string) (*Sigstore, error) {
	s := &Sigstore{}
	var err error
	if s.oidc, err = newIssuer(); err != nil {
		return nil, err
	}
	if s.ctKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if s.fulcio, err = newFulcio(s.oidc, s.ctKey); err != nil {
		return nil, err
	}
	if s.rekor, err = newRekor(); err != nil {
		return nil, err
	}
	f := httptest.NewServer(s.fulcio)
	r := httptest.NewServer(s.rekor)
	s.srvs = []*httptest.Server{f, r}
	s.FulcioURL, s.RekorURL = f.URL, r.URL
	s.rekor.origin = r.Listener.Addr().String()

	tr, err := s.trustedRoot()
	if err != nil {
		s.Close()
		return nil, err
	}
	data, err := tr.MarshalJSON()
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("encode the trusted root: %w", err)
	}
	s.TrustedRoot = filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(s.TrustedRoot, data, 0o644); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops Fulcio and Rekor (and the Actions token endpoints).
func (s *Sigstore) Close() {
	for _, srv := range s.srvs {
		srv.Close()
	}
}

// Certificates is how many certificates Fulcio issued.
func (s *Sigstore) Certificates() int { return int(s.fulcio.issued.Load()) }

// Entries is how many entries Rekor holds.
func (s *Sigstore) Entries() int { return s.rekor.size() }

// trustedRoot describes the deployment as Sigstore's trusted root format
// does: one CA, one Rekor log, one CT log, valid from an hour ago.
func (s *Sigstore) trustedRoot() (*root.TrustedRoot, error) {
	start := time.Now().Add(-time.Hour)
	ca := &root.FulcioCertificateAuthority{Root: s.fulcio.caCert, ValidityPeriodStart: start, URI: s.FulcioURL}
	ctLog, err := transparencyLog(s.FulcioURL, &s.ctKey.PublicKey, start)
	if err != nil {
		return nil, err
	}
	rekorLog, err := transparencyLog(s.RekorURL, &s.rekor.key.PublicKey, start)
	if err != nil {
		return nil, err
	}
	return root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{ca},
		map[string]*root.TransparencyLog{fmt.Sprintf("%x", ctLog.ID): ctLog},
		nil,
		map[string]*root.TransparencyLog{fmt.Sprintf("%x", rekorLog.ID): rekorLog})
}

func transparencyLog(url string, pub *ecdsa.PublicKey, start time.Time) (*root.TransparencyLog, error) {
	id, err := logID(pub)
	if err != nil {
		return nil, err
	}
	return &root.TransparencyLog{
		BaseURL: url, ID: id, ValidityPeriodStart: start,
		HashFunc: crypto.SHA256, SignatureHashFunc: crypto.SHA256, PublicKey: pub,
	}, nil
}

// logID is a log's identity in SCTs, entries and trusted roots: the
// SHA-256 of its DER public key.
func logID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	return sum[:], nil
}
