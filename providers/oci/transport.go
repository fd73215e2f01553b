package oci

import "net/http"

// maxIdleConnsPerHost is how many idle connections a Client keeps to one
// registry. A plan observes 8 × --parallelism charts at once (32 by
// default, more with a larger --parallelism), each a request or two to the
// same host: net/http's default of 2 closed all but two connections after
// every wave, so nearly every request dialled (and, on a real registry,
// shook hands over TLS) again. 256 covers --parallelism 32.
const maxIdleConnsPerHost = 256

// newTransport is net/http's default transport (proxy from the
// environment, dial and TLS timeouts, HTTP/2) keeping enough idle
// connections per host for the charts observed at once.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0 // no bound across hosts; the per-host one holds
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return t
}

// Transport is the transport beneath the Client's default HTTP client,
// without its retries or trace: give it to the other providers that talk
// to the same registries (cosign.Options.Transport), so that they share
// its connections. It is nil when Options.HTTPClient was given.
func (c *Client) Transport() http.RoundTripper {
	if c.transport == nil {
		return nil
	}
	return c.transport
}
