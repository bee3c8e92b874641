package bot

import (
	"context"
	"sync"
)

// keyedMutex serialises work per key (a conversation id) while letting
// different keys run in parallel. Waiting honours the context, so a stuck
// turn cannot pile up requests forever.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	sem  chan struct{}
	refs int
}

func newKeyedMutex() *keyedMutex { return &keyedMutex{locks: map[string]*keyLock{}} }

// Lock waits for key and returns the function that releases it.
func (k *keyedMutex) Lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	l, ok := k.locks[key]
	if !ok {
		l = &keyLock{sem: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()

	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem; k.release(key, l) }, nil
	case <-ctx.Done():
		k.release(key, l)
		return nil, ctx.Err()
	}
}

func (k *keyedMutex) release(key string, l *keyLock) {
	k.mu.Lock()
	l.refs--
	if l.refs == 0 {
		delete(k.locks, key)
	}
	k.mu.Unlock()
}

// Locker serialises work per key: *keyedMutex within a process, and the
// store's leases ([store.Locks]) across replicas.
type Locker interface {
	Lock(ctx context.Context, key string) (func(), error)
}

// chainedLocks takes the process's lock first, then the shared one: turns
// of a conversation on one replica queue in memory, so only one of them at
// a time asks the database for the conversation's lease.
type chainedLocks struct{ local, shared Locker }

func (c chainedLocks) Lock(ctx context.Context, key string) (func(), error) {
	releaseLocal, err := c.local.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	releaseShared, err := c.shared.Lock(ctx, key)
	if err != nil {
		releaseLocal()
		return nil, errStore{err}
	}
	return func() { releaseShared(); releaseLocal() }, nil
}
