package cosign

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/tuf"

	"github.com/relctl/relctl/config"
)

// trustedRootMaterial is the verification material of a private Sigstore:
// exactly what the spec's trusted_root lists (Fulcio CAs, CT log keys,
// Rekor keys), with no TUF and no network. The keys are indexed by the log
// ID the trusted root gives, which SCTs and log entries name.
//
// cosign's legacy verification path (RootCerts, CTLogPubKeys,
// RekorPubKeys) checks these without the validity periods the trusted
// root may give each key: a key the deployment retired still verifies
// what it signed, as a TUF key marked expired does.
func (s *Signer) trustedRootMaterial() (*verifyMaterial, error) {
	path := s.signing.TrustedRoot
	tr, err := root.NewTrustedRootFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("load the trusted root %s: %w", path, err)
	}
	m := &verifyMaterial{trusted: tr, roots: x509.NewCertPool(), intermediates: x509.NewCertPool()}
	cas := 0
	for _, ca := range tr.FulcioCertificateAuthorities() {
		fca, ok := ca.(*root.FulcioCertificateAuthority)
		if !ok || fca.Root == nil {
			continue
		}
		m.roots.AddCert(fca.Root)
		for _, c := range fca.Intermediates {
			m.intermediates.AddCert(c)
		}
		cas++
	}
	if cas == 0 && s.mode == config.SigningKeyless {
		return nil, fmt.Errorf("the trusted root %s lists no Fulcio certificate authority: keyless signatures cannot verify", path)
	}
	m.ctKeys = logKeys(tr.CTLogs())
	if s.signing.TlogUpload {
		client, err := s.rekorClient()
		if err != nil {
			return nil, fmt.Errorf("create a Rekor client for %s: %w", s.signing.RekorURL, err)
		}
		m.rekor, m.rekorKeys = client, logKeys(tr.RekorLogs())
		if len(m.rekorKeys.Keys) == 0 {
			return nil, fmt.Errorf("the trusted root %s lists no Rekor log, and tlog_upload is true", path)
		}
	}
	return m, nil
}

func logKeys(logs map[string]*root.TransparencyLog) *cosignpkg.TrustedTransparencyLogPubKeys {
	keys := cosignpkg.NewTrustedTransparencyLogPubKeys()
	for _, l := range logs {
		keys.Keys[hex.EncodeToString(l.ID)] = cosignpkg.TransparencyLogPubKey{PubKey: l.PublicKey, Status: tuf.Active}
	}
	return &keys
}

// trustSource names where the trusted keys came from, for messages.
func (s *Signer) trustSource() string {
	if s.signing.TrustedRoot != "" {
		return "trusted root " + s.signing.TrustedRoot
	}
	return "Sigstore's public keys from TUF"
}
