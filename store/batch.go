package store

import "sync"

// batcher does work in batches, as a database's group commit does: while
// one batch is being done, the calls that come meanwhile wait and go
// together in the next. Alone, a call is a batch of one, as soon as it
// comes; under load, many turns' statements become one.
type batcher[In, Out any] struct {
	// do does a batch and returns one result per input, in order.
	do      func(batch []In) []Out
	mu      sync.Mutex
	queue   []batchCall[In, Out]
	running bool
}

type batchCall[In, Out any] struct {
	in  In
	out chan Out
}

// add queues in and returns where its result will arrive. The batch runs
// on a goroutine of its own, not under any caller's context: it works for
// the others too, and a caller that stops waiting leaves its result in
// the channel (buffered) for no one.
func (b *batcher[In, Out]) add(in In) <-chan Out {
	c := batchCall[In, Out]{in: in, out: make(chan Out, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go b.run()
	}
	return c.out
}

// run does the queued calls, batch after batch, until none are left.
func (b *batcher[In, Out]) run() {
	for {
		b.mu.Lock()
		calls := b.queue
		b.queue = nil
		if len(calls) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		ins := make([]In, len(calls))
		for i, c := range calls {
			ins[i] = c.in
		}
		outs := b.do(ins)
		for i, c := range calls {
			c.out <- outs[i]
		}
	}
}
