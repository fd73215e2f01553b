package oci

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"oras.land/oras-go/v2/registry/remote/credentials"
)

// dockerStore is the docker CLI's credential store (config.json with its
// auths, credsStore and credHelpers), located the way docker does.
type dockerStore struct {
	path        string // empty: no home directory, no store
	store       *credentials.DynamicStore
	credsStore  string
	credHelpers map[string]string
	err         error // the config exists but cannot be read
}

// loadDockerStore reads $DOCKER_CONFIG/config.json, else
// $HOME/.docker/config.json. oras-go's NewStoreFromDocker would read
// DOCKER_CONFIG and the home directory from the process environment;
// resolving the path here through getenv keeps the chain isolated. A
// missing file is an empty store.
func loadDockerStore(getenv func(string) string) *dockerStore {
	dir := getenv(envDockerConfig)
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			home = getenv("USERPROFILE") // Windows
		}
		if home == "" {
			return &dockerStore{}
		}
		dir = filepath.Join(home, ".docker")
	}
	d := &dockerStore{path: filepath.Join(dir, "config.json")}

	// The helper names are read only to say which one answered; oras-go
	// does the lookups themselves.
	var helpers struct {
		CredsStore  string            `json:"credsStore"`
		CredHelpers map[string]string `json:"credHelpers"`
	}
	data, err := os.ReadFile(d.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		d.err = fmt.Errorf("read docker config %s: %w", d.path, err)
		return d
	default:
		if err := json.Unmarshal(data, &helpers); err != nil {
			d.err = fmt.Errorf("read docker config %s: %w", d.path, err)
			return d
		}
	}
	d.credsStore, d.credHelpers = helpers.CredsStore, helpers.CredHelpers

	// AllowPlaintextPut and DetectDefaultNativeStore stay false: relctl
	// only reads credentials and must never rewrite the user's config.
	d.store, err = credentials.NewStore(d.path, credentials.StoreOptions{})
	if err != nil {
		d.err = fmt.Errorf("read docker config %s: %w", d.path, err)
	}
	return d
}

// helper is the credential helper that answers for host, "" when the
// config file itself does, with the precedence oras-go's DynamicStore
// applies.
func (d *dockerStore) helper(host string) string {
	if h := d.credHelpers[credentials.ServerAddressFromHostname(host)]; h != "" {
		return h
	}
	return d.credsStore
}

// source names the part of the docker store that answers for host.
func (d *dockerStore) source(host string) string {
	if h := d.helper(host); h != "" {
		return fmt.Sprintf("docker credential helper %q", h)
	}
	return fmt.Sprintf("docker config (%s)", d.path)
}
