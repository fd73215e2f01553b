// Reading the legacy signature tag with as few requests as the format
// allows: one for the signature manifest, none for a payload relctl can
// rebuild, and no registry ping per repository.

package cosign

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/signature"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"
)

// maxSignatureLayers is cosign's own bound on the layers of a signature
// manifest (pkg/oci/remote: maxLayers).
const maxSignatureLayers = 1000

// maxPayloadBytes is cosign's default limit on a signature payload
// (COSIGN_MAX_ATTACHMENT_SIZE, 128 MiB).
const maxPayloadBytes = 128 << 20

// manifestPayload is the simple-signing payload relctl signs for ref. The
// signing and the reading of signatures share it: a layer whose digest is
// this payload's needs no download.
func manifestPayload(ref name.Digest) ([]byte, error) {
	return (&sigpayload.Cosign{Image: ref}).MarshalJSON()
}

// signatureLayers reads the signature manifest under tag and returns one
// signature per layer; none when the tag does not exist. It makes one
// request when every layer's payload is the one relctl signs (its digest,
// which the manifest lists, is that of manifestPayload(ref)): cosign's own
// reader fetches the manifest, the config blob and each payload blob. A
// layer with another payload (another tool's, other annotations) is
// fetched when verification reads it, as before, and verified against its
// digest by go-containerregistry.
func (s *Signer) signatureLayers(ctx context.Context, ref name.Digest, tag name.Tag) ([]oci.Signature, error) {
	opts := s.remoteOptions(ctx)
	desc, err := remote.Get(tag, opts...)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !desc.MediaType.IsImage() {
		return nil, fmt.Errorf("the signature tag holds a %s, not a signature manifest", desc.MediaType)
	}
	m, err := v1.ParseManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return nil, fmt.Errorf("decode the signature manifest: %w", err)
	}
	if len(m.Layers) > maxSignatureLayers {
		return nil, fmt.Errorf("the signature manifest has %d layers, over cosign's limit of %d", len(m.Layers), maxSignatureLayers)
	}
	own, err := manifestPayload(ref)
	if err != nil {
		return nil, fmt.Errorf("build the signature payload: %w", err)
	}
	ownLayer := static.NewLayer(own, types.MediaType("application/vnd.dev.cosign.simplesigning.v1+json"))
	ownDigest, err := ownLayer.Digest()
	if err != nil {
		return nil, err
	}
	sigs := make([]oci.Signature, 0, len(m.Layers))
	for _, l := range m.Layers {
		payload := own
		if l.Digest != ownDigest || l.Size != int64(len(own)) {
			if payload, err = fetchPayload(ref, l, opts); err != nil {
				return nil, err
			}
		}
		sigs = append(sigs, signature.New(static.NewLayer(payload, l.MediaType), l))
	}
	return sigs, nil
}

// fetchPayload downloads a signature layer's payload once (verification
// reads it more than once), within cosign's size limit, and checks it
// against its digest.
func fetchPayload(ref name.Digest, l v1.Descriptor, opts []remote.Option) ([]byte, error) {
	if l.Size < 0 || l.Size > maxPayloadBytes {
		return nil, fmt.Errorf("signature layer %s: %d bytes, over the %d byte limit", l.Digest, l.Size, maxPayloadBytes)
	}
	layer, err := remote.Layer(ref.Context().Digest(l.Digest.String()), opts...)
	if err != nil {
		return nil, err
	}
	rc, err := layer.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, l.Size+1))
	if err != nil {
		return nil, err
	}
	if h, _, err := v1.SHA256(bytes.NewReader(b)); err != nil || h != l.Digest || int64(len(b)) != l.Size {
		return nil, fmt.Errorf("signature layer %s: the registry served other bytes", l.Digest)
	}
	return b, nil
}

// pingCache answers a registry's `GET /v2/` from the first answer of the
// run. go-containerregistry pings the registry before every operation on a
// repository, to learn how to authenticate; a plan of N charts made N pings
// to learn one thing. Only unauthenticated pings answered 200 or 401 (the
// two answers that say how to authenticate) are kept, per scheme and host,
// without their body.
type pingCache struct {
	base http.RoundTripper

	mu    sync.Mutex
	hosts map[string]*pingAnswer
}

type pingAnswer struct {
	once   sync.Mutex // held by the first ping of a host until it is answered
	done   bool
	failed bool // a ping failed (guarded by pingCache.mu)
	status int
	header http.Header
}

// answered reports that the host's ping is cached; it does not wait for a
// ping under way.
func (a *pingAnswer) answered() bool {
	if !a.once.TryLock() {
		return false
	}
	defer a.once.Unlock()
	return a.done
}

func newPingCache(base http.RoundTripper) *pingCache {
	return &pingCache{base: base, hosts: map[string]*pingAnswer{}}
}

func (p *pingCache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Path != "/v2/" || req.Header.Get("Authorization") != "" {
		return p.base.RoundTrip(req)
	}
	key := req.URL.Scheme + "://" + req.URL.Host
	p.mu.Lock()
	if req.URL.Scheme == "https" {
		// A registry allowed plain HTTP is pinged both ways at once;
		// once TLS failed and HTTP answered, the handshake is not tried
		// again for each repository.
		if h, s := p.hosts["http://"+req.URL.Host], p.hosts[key]; h != nil && s != nil && s.failed && h.answered() {
			p.mu.Unlock()
			return nil, fmt.Errorf("ping %s: the registry answers over plain HTTP", req.URL.Host)
		}
	}
	a := p.hosts[key]
	if a == nil {
		a = &pingAnswer{}
		p.hosts[key] = a
	}
	p.mu.Unlock()

	a.once.Lock()
	defer a.once.Unlock()
	if a.done {
		return &http.Response{
			Status: fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)), StatusCode: a.status,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: a.header.Clone(), Body: http.NoBody, Request: req,
		}, nil
	}
	resp, err := p.base.RoundTrip(req)
	if err != nil {
		if req.Context().Err() == nil {
			p.mu.Lock()
			a.failed = true
			p.mu.Unlock()
		}
		return nil, err
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
		a.done, a.status, a.header = true, resp.StatusCode, resp.Header.Clone()
		// The body is not kept: drain it so the connection is reused,
		// and give the caller an empty one, as later answers are.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = http.NoBody
	}
	return resp, nil
}
