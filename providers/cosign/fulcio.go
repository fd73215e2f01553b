package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/sigstore/fulcio/pkg/api"
)

// fulcioClient is Fulcio's legacy API client (api.LegacyClient, what
// cosign's fulcio.GetCert calls) over relctl's HTTP client: the
// certificate request then goes through the RELCTL_LOG=debug trace and
// stops with the context, which fulcio's own client (a fresh http.Client
// over http.DefaultTransport, no context) does not allow. The request and
// the reading of the answer are those of fulcio's api.client.
type fulcioClient struct {
	ctx    context.Context
	base   *url.URL
	client *http.Client
}

var _ api.LegacyClient = fulcioClient{}

func (s *Signer) fulcioClient(ctx context.Context) (fulcioClient, error) {
	u, err := url.Parse(s.signing.FulcioURL)
	if err != nil {
		return fulcioClient{}, fmt.Errorf("fulcio URL %q: %w", s.signing.FulcioURL, err)
	}
	client := s.opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	return fulcioClient{ctx: ctx, base: u, client: client}, nil
}

// SigningCert asks Fulcio to certify the key in cr for the token's
// identity. The answer is the leaf then its chain, PEM; a detached SCT, if
// any, is in the SCT header.
func (c fulcioClient) SigningCert(cr api.CertificateRequest, token string) (*api.CertificateResponse, error) {
	endpoint := *c.base
	endpoint.Path = path.Join(endpoint.Path, "/api/v1/signingCert")
	body, err := json.Marshal(cr)
	if err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", cosignUserAgent())
	resp, err := c.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("POST %s: %w", endpoint.String(), err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("POST %s: read the response: %w", endpoint.String(), err)
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("POST %s: HTTP %d: %s", endpoint.String(), resp.StatusCode,
			truncate(strings.TrimSpace(string(out)), 300))
	}
	sct, err := base64.StdEncoding.DecodeString(resp.Header.Get("SCT"))
	if err != nil {
		return nil, fmt.Errorf("POST %s: the SCT header is not base64: %w", endpoint.String(), err)
	}
	leaf, chain := pem.Decode(out)
	if leaf == nil {
		return nil, fmt.Errorf("POST %s: no certificate in the response", endpoint.String())
	}
	return &api.CertificateResponse{CertPEM: pem.EncodeToMemory(leaf), ChainPEM: chain, SCT: sct}, nil
}

// RootCert is not used for signing; relctl's trust comes from TUF or the
// spec's trusted_root.
func (c fulcioClient) RootCert() (*api.RootResponse, error) {
	return nil, errors.New("relctl does not fetch Fulcio's root from Fulcio")
}
