package helm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// diskCache keeps what dependency resolution downloaded, under the user's
// cache directory, so that a second plan downloads nothing unchanged:
//
//	index/<sha256 of the index URL>.yaml   the index as last served
//	index/<sha256 of the index URL>.json   its validators (ETag, Last-Modified)
//	sha256/<hex>.tgz                        archives, by their own digest
//	oci/<hex of the manifest digest>.tgz    OCI chart layers, by manifest
//
// Archives are content-addressed: a cached file is used only when its
// digest is the one wanted, so a stale or corrupt cache entry is refetched.
// A nil *diskCache caches nothing.
type diskCache struct{ dir string }

type indexMeta struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

func newDiskCache(dir string) *diskCache {
	if dir == "" {
		return nil
	}
	return &diskCache{dir: dir}
}

func keyOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// index returns the cached index of url and its validators.
func (c *diskCache) index(url string) ([]byte, indexMeta, bool) {
	if c == nil {
		return nil, indexMeta{}, false
	}
	base := filepath.Join(c.dir, "index", keyOf(url))
	data, err := os.ReadFile(base + ".yaml")
	if err != nil {
		return nil, indexMeta{}, false
	}
	var m indexMeta
	raw, err := os.ReadFile(base + ".json")
	if err != nil || json.Unmarshal(raw, &m) != nil || m.URL != redactURL(url) {
		return nil, indexMeta{}, false
	}
	return data, m, true
}

func (c *diskCache) putIndex(url string, data []byte, m indexMeta) {
	if c == nil {
		return
	}
	// The URL is kept without credentials: the file is named by a hash of
	// the whole URL already, and a password must not land on disk.
	m.URL = redactURL(url)
	raw, _ := json.Marshal(m)
	base := filepath.Join(c.dir, "index", keyOf(url))
	// The meta is written last: a crash in between leaves an index
	// without validators, which is simply fetched again.
	if writeAtomic(base+".yaml", data) == nil {
		_ = writeAtomic(base+".json", raw)
	}
}

// archive returns the cached archive whose sha256 is digest.
func (c *diskCache) archive(digest string) ([]byte, bool) {
	if c == nil || !strings.HasPrefix(digest, "sha256:") {
		return nil, false
	}
	data, err := os.ReadFile(filepath.Join(c.dir, "sha256", strings.TrimPrefix(digest, "sha256:")+".tgz"))
	if err != nil || sha(data) != digest {
		return nil, false
	}
	return data, true
}

func (c *diskCache) putArchive(data []byte) {
	if c == nil {
		return
	}
	_ = writeAtomic(filepath.Join(c.dir, "sha256", strings.TrimPrefix(sha(data), "sha256:")+".tgz"), data)
}

// ociArchive returns the chart layer cached for an OCI manifest digest.
// The manifest names its layer's digest, so the entry never goes stale.
func (c *diskCache) ociArchive(manifestDigest string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	data, err := os.ReadFile(filepath.Join(c.dir, "oci", keyOf(manifestDigest)+".tgz"))
	return data, err == nil
}

func (c *diskCache) putOCIArchive(manifestDigest string, data []byte) {
	if c == nil {
		return
	}
	_ = writeAtomic(filepath.Join(c.dir, "oci", keyOf(manifestDigest)+".tgz"), data)
}

// writeAtomic writes through a temporary file and a rename, so that
// concurrent runs sharing the cache never read half a file. Errors only
// cost a later download: callers ignore them.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
