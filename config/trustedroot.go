package config

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// trustedRoot reads signing.trusted_root: a private Sigstore deployment's
// trusted root, checked now so that a wrong path or a file of another
// format is reported at its line rather than at the first verification,
// after charts were pushed. The path is relative to the spec directory.
func (l *loader) trustedRoot(r *attrReader) string {
	raw := r.str("trusted_root", "")
	if !r.ok("trusted_root") {
		return ""
	}
	at := r.rangeOf("trusted_root")
	if strings.TrimSpace(raw) == "" {
		l.errorf(at, "Invalid trusted_root", "trusted_root must name a file: Sigstore's trusted root JSON, as cosign's --trusted-root takes.")
		return ""
	}
	path := raw
	if !filepath.IsAbs(path) {
		path = filepath.Join(l.dir, filepath.FromSlash(path))
	}
	path = filepath.Clean(path)
	data, err := os.ReadFile(path)
	if err != nil {
		l.errorf(at, "Unreadable trusted_root", "Cannot read the trusted root %s: %s.", path, pathError(err))
		return ""
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		l.errorf(at, "Invalid trusted_root",
			"%s is not a Sigstore trusted root (the JSON that `cosign trusted-root create` writes): %s.", path, err)
		return ""
	}
	if len(tr.FulcioCertificateAuthorities()) == 0 && len(tr.RekorLogs()) == 0 {
		l.errorf(at, "Invalid trusted_root",
			"%s lists no certificate authority and no transparency log: it would trust nothing.", path)
		return ""
	}
	return path
}

// pathError drops the path os errors repeat: the message names it already.
func pathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
