package cosign

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-openapi/runtime"
	httptransport "github.com/go-openapi/runtime/client"
	"github.com/go-openapi/strfmt"
	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	rekorapi "github.com/sigstore/rekor/pkg/client"
	rekorclient "github.com/sigstore/rekor/pkg/generated/client"
	"github.com/sigstore/rekor/pkg/util"
)

// rekorClient returns a client of the spec's Rekor. Without a trace it is
// cosign's own (rekor.NewClient, newRekorClient here). With one (RELCTL_LOG=debug) it is built
// the way rekor's GetRekorClient builds it (retryablehttp with rekor's
// default retries over a cleanhttp transport, cosign's User-Agent, the JSON
// and PEM consumers) with the trace beneath the retries: the Rekor client
// takes no transport of its own.
func (s *Signer) rekorClient() (*rekorclient.Rekor, error) {
	if s.opts.Log == nil {
		return newRekorClient(s.signing.RekorURL)
	}
	u, err := url.Parse(s.signing.RekorURL)
	if err != nil {
		return nil, fmt.Errorf("rekor URL %q: %w", s.signing.RekorURL, err)
	}
	retrying := retryablehttp.NewClient()
	retrying.HTTPClient = &http.Client{Transport: s.opts.Log.Transport(cleanhttp.DefaultTransport())}
	retrying.RetryMax = rekorapi.DefaultRetryCount
	retrying.Logger = nil // retryablehttp's default logs to stderr; rekor's does not
	hc := retrying.StandardClient()
	hc.Transport = userAgentTransport{next: hc.Transport, agent: cosignUserAgent()}
	if u.Path == "" {
		u.Path = rekorclient.DefaultBasePath
	}
	rt := httptransport.NewWithClient(u.Host, u.Path, []string{u.Scheme}, hc)
	rt.Consumers["application/json"] = runtime.JSONConsumer()
	rt.Consumers["application/x-pem-file"] = runtime.TextConsumer()
	rt.Producers["application/json"] = runtime.JSONProducer()
	formats := strfmt.Default
	formats.Add("signedCheckpoint", &util.SignedNote{}, util.SignedCheckpointValidator)
	return rekorclient.New(rt, formats), nil
}

// userAgentTransport sets the User-Agent rekor's client would.
type userAgentTransport struct {
	next  http.RoundTripper
	agent string
}

func (t userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.agent)
	return t.next.RoundTrip(req)
}
