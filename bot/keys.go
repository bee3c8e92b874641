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
	issuer    string    // the metadata's issuer
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
	sinceTry := ks.now().Sub(ks.triedAt)
	never := ks.keys == nil
	ks.mu.RUnlock()
	// Until a first fetch succeeds, retry every few seconds: the bot cannot
	// verify anything without keys.
	mayRetry := sinceTry >= ks.minRefresh || (never && sinceTry >= 5*time.Second)
	if ok && (fresh || !mayRetry) {
		return k, nil
	}
	if !mayRetry {
		if never {
			return signingKey{}, errKeysUnavailable
		}
		return signingKey{}, errUnknownKey
	}
	if err := ks.refresh(ctx); err != nil && !ok {
		return signingKey{}, fmt.Errorf("%w: %w", errKeysUnavailable, err)
	}
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	if k, ok := ks.keys[kid]; ok {
		return k, nil
	}
	return signingKey{}, errUnknownKey
}

// refresh fetches the metadata and keys once for all concurrent callers. The
// fetch runs on its own deadline so that one caller giving up does not fail
// the others.
func (ks *keySet) refresh(ctx context.Context) error {
	_, err, _ := ks.flight.Do("refresh", func() (any, error) {
		ks.mu.Lock()
		if ks.keys != nil && ks.now().Sub(ks.triedAt) < ks.minRefresh {
			ks.mu.Unlock()
			return nil, nil // another caller refreshed just now
		}
		ks.triedAt = ks.now()
		ks.mu.Unlock()

		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		issuer, keys, err := ks.fetch(fctx)
		if err != nil {
			return nil, err
		}
		ks.mu.Lock()
		ks.keys, ks.issuer, ks.fetchedAt = keys, issuer, ks.now()
		ks.mu.Unlock()
		return nil, nil
	})
	return err
}

// Issuer returns the issuer named by the metadata, fetching it if needed.
func (ks *keySet) Issuer(ctx context.Context) (string, error) {
	ks.mu.RLock()
	iss := ks.issuer
	ks.mu.RUnlock()
	if iss != "" {
		return iss, nil
	}
	if err := ks.refresh(ctx); err != nil {
		return "", err
	}
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return ks.issuer, nil
}

func (ks *keySet) fetch(ctx context.Context) (string, map[string]signingKey, error) {
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, ks.client, ks.metadataURL, &meta); err != nil {
		return "", nil, fmt.Errorf("openid metadata: %w", err)
	}
	if meta.JWKSURI == "" {
		return "", nil, fmt.Errorf("openid metadata %s has no jwks_uri", ks.metadataURL)
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
		return "", nil, fmt.Errorf("signing keys: %w", err)
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
		return "", nil, fmt.Errorf("signing keys at %s: no usable RSA key", meta.JWKSURI)
	}
	return meta.Issuer, keys, nil
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
