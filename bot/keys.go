package bot

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// signingKey is one public key from a JWKS, with the channels it may sign for.
type signingKey struct {
	pub *rsa.PublicKey
	// endorsements lists the channel ids Bot Framework endorsed the key for;
	// nil when the document gives none (Entra keys).
	endorsements []string
}

// keySet fetches and caches the signing keys named by an OpenID metadata
// document. Keys are fetched once and then served from memory; an unknown
// kid triggers a refresh at most once per minRefresh, so forged tokens with
// random kids cannot make the bot hammer the metadata endpoint. Concurrent
// callers share one fetch.
type keySet struct {
	metadataURL string
	client      *http.Client
	now         func() time.Time
	maxAge      time.Duration // refetch keys this old on next use
	minRefresh  time.Duration // least time between fetches for unknown kids

	mu        sync.RWMutex
	keys      map[string]signingKey
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last attempt, successful or not

	flight singleflight.Group
}

func newKeySet(metadataURL string, client *http.Client, now func() time.Time) *keySet {
	return &keySet{
		metadataURL: metadataURL,
		client:      client,
		now:         now,
		maxAge:      24 * time.Hour,
		minRefresh:  time.Minute,
	}
}

var (
	errUnknownKey = errors.New("unknown signing key")
	// errKeysUnavailable means the keys could not be fetched: the bot cannot
	// tell a good token from a bad one and answers 503 so the sender retries.
	errKeysUnavailable = errors.New("signing keys unavailable")
)

// key returns the key with the given kid.
func (ks *keySet) key(ctx context.Context, kid string) (signingKey, error) {
	ks.mu.RLock()
	k, ok := ks.keys[kid]
	fresh := ks.now().Sub(ks.fetchedAt) < ks.maxAge
	ks.mu.RUnlock()
	if ok && fresh {
		return k, nil
	}
	err := ks.refresh(ctx)
	ks.mu.RLock()
	k, ok = ks.keys[kid]
	have := ks.keys != nil
	ks.mu.RUnlock()
	switch {
	case ok:
		return k, nil // possibly a day old if the refresh failed: better than nothing
	case !have:
		return signingKey{}, fmt.Errorf("%w: %w", errKeysUnavailable, err)
	}
	return signingKey{}, errUnknownKey
}

// refresh fetches the metadata and keys, once for all concurrent callers:
// those arriving while a fetch runs wait for it. Fetches are spaced by
// minRefresh (a few seconds while the bot has no keys at all). The fetch
// runs on its own deadline so that one caller giving up does not fail the
// others.
func (ks *keySet) refresh(ctx context.Context) error {
	_, err, _ := ks.flight.Do("refresh", func() (any, error) {
		ks.mu.Lock()
		gap, have := ks.minRefresh, ks.keys != nil
		if !have {
			gap = 5 * time.Second
		}
		if !ks.triedAt.IsZero() && ks.now().Sub(ks.triedAt) < gap {
			ks.mu.Unlock()
			if !have {
				return nil, errors.New("last fetch failed moments ago")
			}
			return nil, nil
		}
		ks.triedAt = ks.now()
		ks.mu.Unlock()

		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		keys, err := ks.fetch(fctx)
		if err != nil {
			return nil, err
		}
		ks.mu.Lock()
		ks.keys, ks.fetchedAt = keys, ks.now()
		ks.mu.Unlock()
		return nil, nil
	})
	return err
}

func (ks *keySet) fetch(ctx context.Context) (map[string]signingKey, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, ks.client, ks.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("openid metadata: %w", err)
	}
	if meta.JWKSURI == "" {
		return nil, fmt.Errorf("openid metadata %s has no jwks_uri", ks.metadataURL)
	}
	var doc struct {
		Keys []struct {
			Kty          string   `json:"kty"`
			Kid          string   `json:"kid"`
			N            string   `json:"n"`
			E            string   `json:"e"`
			Endorsements []string `json:"endorsements"`
		} `json:"keys"`
	}
	if err := getJSON(ctx, ks.client, meta.JWKSURI, &doc); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	keys := make(map[string]signingKey, len(doc.Keys))
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || k.Kid == "" {
			continue
		}
		pub, err := rsaKey(k.N, k.E)
		if err != nil {
			continue // one bad key must not take the others down
		}
		keys[k.Kid] = signingKey{pub: pub, endorsements: k.Endorsements}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("signing keys at %s: no usable RSA key", meta.JWKSURI)
	}
	return keys, nil
}

func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, err
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil {
		return nil, err
	}
	if len(nb) < 256 || len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("RSA key too small or malformed")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}, nil
}

// getJSON GETs url and decodes a JSON body of at most 1 MiB.
func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
