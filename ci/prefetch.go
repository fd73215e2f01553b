package ci

import (
	"context"
	"sync"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// Prefetch is an AssetDownloader that starts verify's downloads (each
// chart's lineage file and signature files) as soon as the release list is
// known, while the charts are still being observed, and hands them to
// Verify when it asks: the round trips of the downloads then overlap those
// of the observation instead of following them. It downloads nothing
// Verify would not (the files of the releases of the declared charts'
// tags), and at most verifyDownloads files at once, Verify's bound. An
// asset's bytes never change under one ID (GitHub gives a replaced file a
// new one), so a file read early is the file Verify would read.
type Prefetch struct {
	ctx context.Context
	dl  AssetDownloader

	mu    sync.Mutex
	files map[int64]*fetch
}

type fetch struct {
	done  chan struct{}
	limit int64
	b     []byte
	err   error
}

// NewPrefetch downloads through dl, within ctx (the command's: the
// downloads outlive the observation that starts them).
func NewPrefetch(ctx context.Context, dl AssetDownloader) *Prefetch {
	return &Prefetch{ctx: ctx, dl: boundedDownloads{dl, make(chan struct{}, verifyDownloads)}, files: map[int64]*fetch{}}
}

// Releases starts the downloads Verify will make of rels, the repository's
// releases as listed: for each declared chart, the lineage file and the
// signature files signing.format writes, of each release of its tag. It
// returns at once.
func (p *Prefetch) Releases(spec *config.Spec, rels []state.Release) {
	signing := spec.Signing.Mode != config.SigningNone && spec.Signing.Mode != ""
	byTag := map[string][]state.Release{}
	for _, r := range rels {
		byTag[r.TagName] = append(byTag[r.TagName], r)
	}
	for _, c := range spec.Charts {
		file := c.Name + "-" + c.Version + ".tgz"
		want := map[string]int64{}
		if spec.Release.Lineage {
			want[state.LineageAssetName(c.Name)] = maxLineageAsset
		}
		if signing {
			if spec.Signing.Format.Writes(config.FormatLegacy) {
				want[file+".sig"] = maxSignatureAsset
				if spec.Signing.Mode == config.SigningKeyless {
					want[file+".pem"] = maxSignatureAsset
				}
			}
			if spec.Signing.Format.Writes(config.FormatBundle) {
				want[state.BundleAssetName(file)] = maxSignatureAsset
			}
		}
		for _, r := range byTag[c.Tag] {
			for _, a := range r.Assets {
				if limit, ok := want[a.Name]; ok && a.State == "uploaded" {
					p.start(a.ID, limit)
				}
			}
		}
	}
}

func (p *Prefetch) start(id int64, limit int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.files[id]; ok {
		return
	}
	f := &fetch{done: make(chan struct{}), limit: limit}
	p.files[id] = f
	go func() {
		defer close(f.done)
		f.b, f.err = p.dl.DownloadAsset(p.ctx, id, limit)
	}()
}

// DownloadAsset returns the file read early, waiting for it if it is on
// its way, or downloads it now.
func (p *Prefetch) DownloadAsset(ctx context.Context, id int64, limit int64) ([]byte, error) {
	p.mu.Lock()
	f := p.files[id]
	p.mu.Unlock()
	if f == nil || f.limit != limit {
		return p.dl.DownloadAsset(ctx, id, limit)
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if f.err != nil && p.ctx.Err() == nil && ctx.Err() == nil {
		// Not a verdict to keep: a failure of the early read (a
		// connection reset) is tried again, as Verify alone would.
		return p.dl.DownloadAsset(ctx, id, limit)
	}
	return f.b, f.err
}
