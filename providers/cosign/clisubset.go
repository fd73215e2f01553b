package cosign

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/sigstore/fulcio/pkg/api"
	rekorapi "github.com/sigstore/rekor/pkg/client"
	rekorclient "github.com/sigstore/rekor/pkg/generated/client"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/fulcioroots"
	"github.com/sigstore/sigstore/pkg/oauthflow"
	"github.com/sigstore/sigstore/pkg/signature"
)

// The few functions relctl used from cosign's command-line packages
// (cmd/cosign/cli/fulcio, cli/rekor, cli/options), written out from cosign
// v2.6.5. Those packages import cli/options, which links every registry
// credential helper cosign's CLI offers (Amazon ECR, Azure ACR, Alibaba
// ACR, with their cloud SDKs) and viper: about 190 packages relctl never
// calls, compiled on every first build.

// certSigner is an ephemeral key with its Fulcio certificate, as cosign's
// fulcio.Signer.
type certSigner struct {
	signature.SignerVerifier
	Cert  []byte // the leaf, PEM
	Chain []byte // the intermediates and root, PEM
	SCT   []byte // a detached SCT, if Fulcio sent one
}

// getCert asks Fulcio to certify sv's public key for the identity of
// idToken, proving possession by signing the token's subject: cosign's
// fulcio.GetCert with the "token" flow (the token as is, never a browser
// or device flow), minus its "Retrieving signed certificate..." line on
// stderr.
func getCert(sv signature.SignerVerifier, idToken string, client api.LegacyClient) (*api.CertificateResponse, error) {
	tok, err := oauthflow.OIDConnect("", "", "", "", &oauthflow.StaticTokenGetter{RawToken: idToken})
	if err != nil {
		return nil, err
	}
	pub, err := sv.PublicKey()
	if err != nil {
		return nil, err
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, err
	}
	proof, err := sv.SignMessage(strings.NewReader(tok.Subject))
	if err != nil {
		return nil, err
	}
	cr := api.CertificateRequest{
		PublicKey:          api.Key{Content: pubPEM},
		SignedEmailAddress: proof,
	}
	return client.SigningCert(cr, tok.RawString)
}

var fulcioRootsOnce = sync.OnceValues(loadFulcioRoots)

// fulcioRoots returns the Fulcio roots and intermediates keyless
// verification trusts by default, as cosign's fulcio.GetRoots and
// GetIntermediates do: the certificates of the PEM file SIGSTORE_ROOT_FILE
// names (self-signed ones are roots), else Sigstore's through TUF.
func fulcioRoots() (roots, intermediates *x509.CertPool, err error) {
	pools, err := fulcioRootsOnce()
	if err != nil {
		return nil, nil, err
	}
	return pools[0], pools[1], nil
}

func loadFulcioRoots() ([2]*x509.CertPool, error) {
	file := os.Getenv("SIGSTORE_ROOT_FILE")
	if file == "" {
		roots, err := fulcioroots.Get()
		if err != nil {
			return [2]*x509.CertPool{}, err
		}
		intermediates, err := fulcioroots.GetIntermediates()
		if err != nil {
			return [2]*x509.CertPool{}, err
		}
		return [2]*x509.CertPool{roots, intermediates}, nil
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return [2]*x509.CertPool{}, fmt.Errorf("read SIGSTORE_ROOT_FILE: %w", err)
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(raw)
	if err != nil {
		return [2]*x509.CertPool{}, fmt.Errorf("read SIGSTORE_ROOT_FILE %s: %w", file, err)
	}
	roots := x509.NewCertPool()
	var intermediates *x509.CertPool // nil when there are none, as cosign's
	for _, c := range certs {
		if bytes.Equal(c.RawSubject, c.RawIssuer) {
			roots.AddCert(c)
			continue
		}
		if intermediates == nil {
			intermediates = x509.NewCertPool()
		}
		intermediates.AddCert(c)
	}
	return [2]*x509.CertPool{roots, intermediates}, nil
}

// newRekorClient is cosign's rekor.NewClient: rekor's own client with
// cosign's User-Agent.
func newRekorClient(url string) (*rekorclient.Rekor, error) {
	return rekorapi.GetRekorClient(url, rekorapi.WithUserAgent(cosignUserAgent()))
}

// cosignUserAgent is the User-Agent cosign's clients send,
// "cosign/<version> (<os>; <arch>)", with the version of the cosign
// library linked in.
var cosignUserAgent = sync.OnceValue(func() string {
	version := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/sigstore/cosign/v2" {
				version = d.Version
			}
		}
	}
	return fmt.Sprintf("cosign/%s (%s; %s)", version, runtime.GOOS, runtime.GOARCH)
})
