package sandboxkit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Store keeps a sandbox's state as JSON documents addressed by kind and id. It is
// deliberately small so a database-backed implementation is a single table
// (kind, id, json).
type Store interface {
	// Get decodes the document into v; found is false when there is none.
	Get(ctx context.Context, kind, id string, v any) (found bool, err error)
	// Put encodes v and stores it, replacing any previous document.
	Put(ctx context.Context, kind, id string, v any) error
	// List answers the ids of one kind, sorted.
	List(ctx context.Context, kind string) ([]string, error)
}

// MemoryStore is a Store in process memory. Values are stored encoded, so a caller
// never shares memory with what it stored (as with a database).
type MemoryStore struct {
	mu   sync.RWMutex
	docs map[string]map[string][]byte
}

// NewMemoryStore answers an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{docs: map[string]map[string][]byte{}}
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, kind, id string, v any) (bool, error) {
	s.mu.RLock()
	b, ok := s.docs[kind][id]
	s.mu.RUnlock()
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("sandbox store: decode %s/%s: %w", kind, id, err)
	}
	return true, nil
}

// Put implements Store.
func (s *MemoryStore) Put(_ context.Context, kind, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("sandbox store: encode %s/%s: %w", kind, id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs[kind] == nil {
		s.docs[kind] = map[string][]byte{}
	}
	s.docs[kind][id] = b
	return nil
}

// List implements Store.
func (s *MemoryStore) List(_ context.Context, kind string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.docs[kind]))
	for id := range s.docs[kind] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// Locks serialises read-modify-write of one document: Get, change, Put under one
// key's lock, so two concurrent captures cannot both pass the over-capture check.
// The zero value is ready to use.
type Locks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// Lock takes the lock of kind/id and answers the function that releases it.
func (l *Locks) Lock(kind, id string) (unlock func()) {
	key := kind + "\x00" + id
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*keyLock{}
	}
	k := l.locks[key]
	if k == nil {
		k = &keyLock{}
		l.locks[key] = k
	}
	k.refs++
	l.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.mu.Lock()
		k.refs--
		if k.refs == 0 {
			delete(l.locks, key)
		}
		l.mu.Unlock()
	}
}
