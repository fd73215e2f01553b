package planner

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/relctl/relctl/state"
)

// fakeReleases is a GitHub repository's releases: drafts are allowed
// several per tag, a published tag is unique (422 already_exists), an
// asset name is unique per release, IDs only grow.
type fakeReleases struct {
	mu     sync.Mutex
	rels   []state.Release
	nextID int64
	f      *faults
	// onUpload, when set, alters the nth stored upload (1-based): a
	// test makes one that GitHub left in state "starter".
	onUpload func(a *state.Asset, n int)
	uploads  int
	// content holds the bytes of assets, by ID; seedContent gives the
	// bytes of seeded assets, by name.
	content     map[int64][]byte
	seedContent map[string][]byte
}

func newFakeReleases() *fakeReleases {
	return &fakeReleases{nextID: 100, content: map[int64][]byte{}}
}

func (g *fakeReleases) id() int64 { g.nextID++; return g.nextID }

func (g *fakeReleases) find(id int64) *state.Release {
	for i := range g.rels {
		if g.rels[i].ID == id {
			return &g.rels[i]
		}
	}
	return nil
}

// seed adds a release as an earlier run or a person left it.
func (g *fakeReleases) seed(r state.Release) state.Release {
	g.mu.Lock()
	defer g.mu.Unlock()
	r.ID = g.id()
	for i := range r.Assets {
		r.Assets[i].ID = g.id()
		if b, ok := g.seedContent[r.Assets[i].Name]; ok {
			g.content[r.Assets[i].ID] = b
		}
	}
	g.rels = append(g.rels, r)
	return r
}

func (g *fakeReleases) ListReleases(context.Context) ([]state.Release, error) {
	var out []state.Release
	err := g.f.run("list", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		out = clone(g.rels)
		return nil
	})
	return out, err
}

func (g *fakeReleases) GetRelease(_ context.Context, id int64) (state.Release, error) {
	var out state.Release
	err := g.f.run("get", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		r := g.find(id)
		if r == nil {
			return fmt.Errorf("release %d: %w", id, state.ErrNotFound)
		}
		out = clone([]state.Release{*r})[0]
		return nil
	})
	return out, err
}

func (g *fakeReleases) CreateRelease(_ context.Context, spec state.ReleaseSpec) (state.Release, error) {
	var out state.Release
	err := g.f.run("create", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		if !spec.Draft && g.published(spec.TagName, 0) {
			return fmt.Errorf("create %s: %w", spec.TagName, state.ErrAlreadyExists)
		}
		out = state.Release{ID: g.id(), TagName: spec.TagName, TargetCommitish: spec.TargetCommitish, Name: spec.Name,
			Body: spec.Body, Draft: spec.Draft, Prerelease: spec.Prerelease}
		g.rels = append(g.rels, out)
		return nil
	})
	return out, err
}

func (g *fakeReleases) published(tag string, except int64) bool {
	for _, r := range g.rels {
		if r.TagName == tag && !r.Draft && r.ID != except {
			return true
		}
	}
	return false
}

func (g *fakeReleases) UpdateRelease(_ context.Context, id int64, spec state.ReleaseSpec) (state.Release, error) {
	var out state.Release
	err := g.f.run("update", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		r := g.find(id)
		if r == nil {
			return fmt.Errorf("release %d: %w", id, state.ErrNotFound)
		}
		if !spec.Draft && g.published(r.TagName, id) {
			return fmt.Errorf("publish %s: tag already released: %w", r.TagName, state.ErrAlreadyExists)
		}
		r.Name, r.Body, r.Draft, r.Prerelease = spec.Name, spec.Body, spec.Draft, spec.Prerelease
		out = clone([]state.Release{*r})[0]
		return nil
	})
	return out, err
}

func (g *fakeReleases) DeleteRelease(_ context.Context, id int64) error {
	return g.f.run("delete", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		for i := range g.rels {
			if g.rels[i].ID == id {
				g.rels = append(g.rels[:i], g.rels[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("release %d: %w", id, state.ErrNotFound)
	})
}

func (g *fakeReleases) UploadAsset(_ context.Context, releaseID int64, name string, body io.ReadSeeker, size int64) (state.Asset, error) {
	var out state.Asset
	err := g.f.run("upload", func() error {
		b, err := io.ReadAll(io.LimitReader(body, size))
		if err != nil {
			return err
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		r := g.find(releaseID)
		if r == nil {
			return fmt.Errorf("release %d: %w", releaseID, state.ErrNotFound)
		}
		if findAsset(r.Assets, name) != nil {
			return fmt.Errorf("asset %s: %w", name, state.ErrAlreadyExists)
		}
		out = state.Asset{ID: g.id(), Name: name, Size: int64(len(b)), State: "uploaded", Digest: sha(b)}
		g.content[out.ID] = b
		g.uploads++
		if g.onUpload != nil {
			g.onUpload(&out, g.uploads)
		}
		r.Assets = append(r.Assets, out)
		return nil
	})
	return out, err
}

func (g *fakeReleases) DeleteAsset(_ context.Context, id int64) error {
	return g.f.run("delete-asset", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		for i := range g.rels {
			as := g.rels[i].Assets
			for j := range as {
				if as[j].ID == id {
					g.rels[i].Assets = append(as[:j], as[j+1:]...)
					return nil
				}
			}
		}
		return fmt.Errorf("asset %d: %w", id, state.ErrNotFound)
	})
}

// DownloadAsset returns an asset's bytes.
func (g *fakeReleases) DownloadAsset(_ context.Context, id int64, limit int64) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	b, ok := g.content[id]
	if !ok {
		return nil, fmt.Errorf("asset %d: %w", id, state.ErrNotFound)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("asset %d is larger than %d bytes", id, limit)
	}
	return append([]byte(nil), b...), nil
}

// byTag returns the releases of a tag, oldest first.
func (g *fakeReleases) byTag(tag string) []state.Release {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []state.Release
	for _, r := range clone(g.rels) {
		if r.TagName == tag {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func clone(rels []state.Release) []state.Release {
	out := make([]state.Release, len(rels))
	for i, r := range rels {
		r.Assets = append([]state.Asset(nil), r.Assets...)
		out[i] = r
	}
	return out
}
