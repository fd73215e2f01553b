package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// MaxArchiveSize bounds the decompressed size of an archive ContentDigest
// reads (tar headers included), so that a gzip bomb fetched from a registry
// cannot exhaust memory. Helm itself caps a chart at 100 MiB decompressed;
// charts worth publishing are far below either bound.
const MaxArchiveSize = 64 << 20

// ContentDigest returns "sha256:<hex>" identifying the files of a chart
// archive made by anyone (relctl, `helm package`, another tool), so that a
// version published earlier with other tar headers can be recognised as the
// same chart.
//
// Construction: the archive is gunzipped and untarred; only regular file
// entries count (directories, links and extended headers are ignored). Each
// name is cleaned (path.Clean, so "./a" and "a" are one name). The files are
// sorted by name, then by content for the unlikely duplicate name, and the
// digest is SHA-256 over the concatenation, for each file, of
//
//	name 0x00 decimal-length 0x00 content
//
// The length makes the encoding unambiguous whatever bytes a file holds.
// Mtimes, modes, owners, entry order, tar format and compression level do
// not enter it.
//
// Archives with an absolute entry name or one that climbs out with ".."
// are refused, as is one larger than MaxArchiveSize decompressed.
func (p *Packager) ContentDigest(archive []byte) (string, error) {
	files, err := readFiles(archive)
	if err != nil {
		return "", fmt.Errorf("content digest of chart archive: %w", err)
	}
	sort.Slice(files, func(i, j int) bool {
		if files[i].name != files[j].name {
			return files[i].name < files[j].name
		}
		return bytes.Compare(files[i].data, files[j].data) < 0
	})
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.name))
		h.Write([]byte{0})
		h.Write([]byte(strconv.Itoa(len(f.data))))
		h.Write([]byte{0})
		h.Write(f.data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

var errTooLarge = fmt.Errorf("archive is larger than %d bytes decompressed", MaxArchiveSize)

// readFiles returns the regular files of a gzipped tar.
func readFiles(archive []byte) ([]entry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	defer zr.Close()
	// One byte over the cap tells "exactly the cap" from "more".
	limited := &io.LimitedReader{R: zr, N: MaxArchiveSize + 1}
	tr := tar.NewReader(limited)

	var files []entry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if limited.N <= 0 {
				return nil, errTooLarge
			}
			return nil, fmt.Errorf("untar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, err := cleanName(h.Name)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			if limited.N <= 0 {
				return nil, errTooLarge
			}
			return nil, fmt.Errorf("untar %s: %w", name, err)
		}
		files = append(files, entry{name: name, data: data})
	}
	if limited.N <= 0 {
		return nil, errTooLarge
	}
	return files, nil
}

// cleanName refuses names that would land outside the folder an archive is
// unpacked into, and cleans the rest.
func cleanName(name string) (string, error) {
	slashed := strings.ReplaceAll(name, `\`, "/")
	if path.IsAbs(slashed) || (len(slashed) >= 2 && slashed[1] == ':') {
		return "", fmt.Errorf("entry %q has an absolute path", name)
	}
	clean := path.Clean(slashed)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("entry %q points outside the archive", name)
	}
	return clean, nil
}
