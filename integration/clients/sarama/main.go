// Brook client compatibility scenario for sarama (github.com/Shopify/sarama).
//
// Usage: sarama-scenario <bootstrap host:port> <unique-suffix>
// Contract and steps: integration/clients/README.md. Build with build.sh (offline,
// GOPATH mode, Debian's golang-github-shopify-sarama-dev). COMPAT_DEBUG=1 sets
// sarama.Logger to stderr. COMPAT_SARAMA_VERSION=<x.y.z> overrides the Kafka
// protocol version sarama assumes (default: sarama.MaxVersion).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

// saramaVersion is set by build.sh (-ldflags -X) from the installed package;
// sarama itself has no version constant.
var saramaVersion = "unknown"

const (
	messages   = 1000
	keys       = 20
	partitions = 3
	stepTime   = 30 * time.Second
	totalTime  = 110 * time.Second
)

var steps = []string{"metadata", "create_topic", "produce", "consume_group", "commit_offsets", "second_member", "delete_topic"}
var depends = map[string][]string{
	"create_topic":   {"metadata"},
	"produce":        {"create_topic"},
	"consume_group":  {"produce"},
	"commit_offsets": {"consume_group"},
	"second_member":  {"consume_group"},
	"delete_topic":   {"create_topic"},
}

var (
	mu      sync.Mutex
	results = map[string]bool{}
	start   = time.Now()
)

func report(step string, ok bool, reason string) {
	mu.Lock()
	defer mu.Unlock()
	if _, done := results[step]; done {
		return
	}
	results[step] = ok
	if ok {
		fmt.Printf("step %s ok\n", step)
		return
	}
	reason = strings.Join(strings.Fields(reason), " ")
	if reason == "" {
		reason = "failed"
	}
	fmt.Printf("step %s FAIL %s\n", step, reason)
}

func passed(step string) bool {
	mu.Lock()
	defer mu.Unlock()
	return results[step]
}

// run runs one step in its own goroutine and gives up on it at its deadline.
func run(step string, fn func(deadline time.Time) error) {
	for _, dep := range depends[step] {
		if !passed(dep) {
			report(step, false, "skipped: "+dep+" failed")
			return
		}
	}
	budget := totalTime - time.Since(start) - 2*time.Second
	if budget > stepTime {
		budget = stepTime
	}
	if budget < time.Second {
		budget = time.Second
	}
	deadline := time.Now().Add(budget)
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", r)
			}
		}()
		done <- fn(deadline)
	}()
	select {
	case err := <-done:
		if err != nil {
			report(step, false, err.Error())
		} else {
			report(step, true, "")
		}
	case <-time.After(budget):
		report(step, false, fmt.Sprintf("timeout after %s", budget))
	}
}

// member is one consumer-group member whose Consume loop runs until stopped.
type member struct {
	group  sarama.ConsumerGroup
	client sarama.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	claims  []int32
	session sarama.ConsumerGroupSession
	errs    []error
}

type handler struct {
	m       *member
	topic   string
	records chan<- *sarama.ConsumerMessage
}

func (h handler) Setup(s sarama.ConsumerGroupSession) error {
	h.m.mu.Lock()
	h.m.claims = append([]int32(nil), s.Claims()[h.topic]...)
	h.m.session = s
	h.m.mu.Unlock()
	return nil
}

func (h handler) Cleanup(s sarama.ConsumerGroupSession) error {
	h.m.mu.Lock()
	h.m.claims = nil
	h.m.session = nil
	h.m.mu.Unlock()
	return nil
}

func (h handler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		s.MarkMessage(msg, "")
		if h.records != nil {
			select {
			case h.records <- msg:
			case <-s.Context().Done():
				return nil
			}
		}
	}
	return nil
}

func (m *member) assigned() []int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]int32(nil), m.claims...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (m *member) firstError() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.errs) > 0 {
		return m.errs[0]
	}
	return nil
}

func (m *member) close() {
	m.cancel()
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
	}
	m.group.Close()
	m.client.Close()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sarama-scenario <bootstrap host:port> <unique-suffix>")
		os.Exit(2)
	}
	bootstrap, suffix := os.Args[1], os.Args[2]
	fmt.Printf("client sarama %s\n", saramaVersion)
	time.AfterFunc(totalTime+5*time.Second, func() {
		for _, s := range steps {
			report(s, false, fmt.Sprintf("timeout: script deadline of %s reached", totalTime))
		}
		os.Exit(1)
	})
	if os.Getenv("COMPAT_DEBUG") != "" {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.LstdFlags|log.Lmicroseconds)
	}

	topic := "compat-" + suffix
	groupID := "compat-group-" + suffix

	newConfig := func() *sarama.Config {
		c := sarama.NewConfig()
		c.ClientID = "compat-sarama-" + suffix
		// sarama's default Version is its minimum (0.8.2), whose request
		// versions Kafka 4 (and Brook) no longer serve.
		c.Version = sarama.MaxVersion
		if v := os.Getenv("COMPAT_SARAMA_VERSION"); v != "" {
			parsed, err := sarama.ParseKafkaVersion(v)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			c.Version = parsed
		}
		c.Net.DialTimeout = 5 * time.Second
		c.Net.ReadTimeout = 15 * time.Second
		c.Net.WriteTimeout = 5 * time.Second
		c.Metadata.Retry.Max = 3
		c.Metadata.Retry.Backoff = 250 * time.Millisecond
		c.Admin.Timeout = 15 * time.Second
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Idempotent = false // sarama's default too
		c.Producer.Return.Successes = true
		c.Producer.Return.Errors = true
		c.Producer.Retry.Max = 3
		c.Consumer.Offsets.Initial = sarama.OffsetOldest
		// Consumer.Offsets.Retention stays 0, sarama's default: its offset
		// manager then commits with OffsetCommit v1, which Kafka 4 dropped
		// and Brook still serves.
		c.Consumer.Return.Errors = true
		c.Consumer.Group.Session.Timeout = 10 * time.Second
		c.Consumer.Group.Heartbeat.Interval = 1 * time.Second
		c.Consumer.Group.Rebalance.Timeout = 20 * time.Second
		c.Consumer.MaxWaitTime = 500 * time.Millisecond
		return c
	}

	var admin sarama.ClusterAdmin
	var client sarama.Client
	var c1, c2 *member
	records := make(chan *sarama.ConsumerMessage, 2*messages)
	ends := map[int32]int64{}

	startMember := func(recs chan<- *sarama.ConsumerMessage) (*member, error) {
		cl, err := sarama.NewClient([]string{bootstrap}, newConfig())
		if err != nil {
			return nil, err
		}
		g, err := sarama.NewConsumerGroupFromClient(groupID, cl)
		if err != nil {
			cl.Close()
			return nil, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		m := &member{group: g, client: cl, cancel: cancel, done: make(chan struct{})}
		go func() {
			for err := range g.Errors() {
				m.mu.Lock()
				m.errs = append(m.errs, err)
				m.mu.Unlock()
			}
		}()
		go func() {
			defer close(m.done)
			// Consume returns at every rebalance; call it again until stopped.
			for ctx.Err() == nil {
				if err := g.Consume(ctx, []string{topic}, handler{m: m, topic: topic, records: recs}); err != nil {
					m.mu.Lock()
					m.errs = append(m.errs, err)
					m.mu.Unlock()
					time.Sleep(200 * time.Millisecond)
				}
			}
		}()
		return m, nil
	}

	run("metadata", func(deadline time.Time) error {
		var err error
		if admin, err = sarama.NewClusterAdmin([]string{bootstrap}, newConfig()); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		if client, err = sarama.NewClient([]string{bootstrap}, newConfig()); err != nil {
			return fmt.Errorf("client: %w", err)
		}
		brokers, _, err := admin.DescribeCluster()
		if err != nil {
			return fmt.Errorf("DescribeCluster: %w", err)
		}
		// sarama 1.22's ListTopics follows Metadata with DescribeConfigs v0,
		// which Kafka 4 dropped and Brook still serves.
		if _, err := admin.ListTopics(); err != nil {
			return fmt.Errorf("ListTopics: %w", err)
		}
		var addrs []string
		for _, b := range brokers {
			addrs = append(addrs, b.Addr())
		}
		if len(addrs) == 0 {
			return errors.New("metadata lists no broker")
		}
		for _, a := range addrs {
			if a == bootstrap {
				return nil
			}
		}
		return fmt.Errorf("no broker at %s; brokers: %v", bootstrap, addrs)
	})

	run("create_topic", func(deadline time.Time) error {
		if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
			return fmt.Errorf("CreateTopic: %w", err)
		}
		for {
			// RefreshMetadata() asks for all topics, so it never auto-creates.
			err := client.RefreshMetadata()
			if err == nil {
				if ps, perr := client.Partitions(topic); perr == nil && len(ps) == partitions {
					return nil
				} else if time.Now().After(deadline) {
					return fmt.Errorf("metadata shows %d partitions (%v)", len(ps), perr)
				}
			} else if time.Now().After(deadline) {
				return fmt.Errorf("metadata: %w", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	run("produce", func(deadline time.Time) error {
		producer, err := sarama.NewAsyncProducerFromClient(client)
		if err != nil {
			return err
		}
		defer producer.AsyncClose()
		go func() {
			for i := 0; i < messages; i++ {
				producer.Input() <- &sarama.ProducerMessage{
					Topic:   topic,
					Key:     sarama.StringEncoder(fmt.Sprintf("key-%d", i%keys)),
					Value:   sarama.StringEncoder(fmt.Sprintf("value-%d", i)),
					Headers: []sarama.RecordHeader{{Key: []byte("h"), Value: []byte(strconv.Itoa(i))}},
				}
			}
		}()
		ok := 0
		for ok < messages {
			select {
			case <-producer.Successes():
				ok++
			case perr := <-producer.Errors():
				return fmt.Errorf("delivery error after %d ok: %v", ok, perr.Err)
			case <-time.After(time.Until(deadline)):
				return fmt.Errorf("%d of %d confirmed", ok, messages)
			}
		}
		return nil
	})

	run("consume_group", func(deadline time.Time) error {
		var err error
		if c1, err = startMember(records); err != nil {
			return err
		}
		seen := map[int]int{}
		last := map[string]int{}
		var problems []string
		for len(seen) < messages {
			if err := c1.firstError(); err != nil {
				return fmt.Errorf("consumer: %w", err)
			}
			select {
			case msg := <-records:
				key, value := string(msg.Key), string(msg.Value)
				i, _ := strconv.Atoi(strings.TrimPrefix(value, "value-"))
				h := ""
				for _, rh := range msg.Headers {
					if string(rh.Key) == "h" {
						h = string(rh.Value)
					}
				}
				if key != fmt.Sprintf("key-%d", i%keys) || h != strconv.Itoa(i) {
					problems = append(problems, fmt.Sprintf("offset %d/%d: key %s value %s h %q", msg.Partition, msg.Offset, key, value, h))
				}
				if prev, ok := last[key]; ok && prev >= i {
					problems = append(problems, fmt.Sprintf("key %s: %d after %d", key, i, prev))
				}
				last[key] = i
				seen[i]++
				if msg.Offset+1 > ends[msg.Partition] {
					ends[msg.Partition] = msg.Offset + 1
				}
			case <-time.After(time.Until(deadline)):
				return fmt.Errorf("read %d of %d distinct messages", len(seen), messages)
			}
		}
		if len(problems) > 0 {
			return fmt.Errorf("%d bad records, first: %s", len(problems), problems[0])
		}
		dups := 0
		for _, n := range seen {
			dups += n - 1
		}
		if dups > 0 {
			return fmt.Errorf("%d duplicate deliveries", dups)
		}
		return nil
	})

	run("commit_offsets", func(deadline time.Time) error {
		// sarama 1.22 commits marked offsets on an interval and has no
		// synchronous commit call; send the OffsetCommit for this member's
		// generation ourselves, as its offset manager does.
		c1.mu.Lock()
		session := c1.session
		c1.mu.Unlock()
		if session == nil {
			return errors.New("first member has no session")
		}
		coordinator, err := c1.client.Coordinator(groupID)
		if err != nil {
			return fmt.Errorf("FindCoordinator: %w", err)
		}
		req := &sarama.OffsetCommitRequest{
			Version:                 2,
			ConsumerGroup:           groupID,
			ConsumerGroupGeneration: session.GenerationID(),
			ConsumerID:              session.MemberID(),
			RetentionTime:           -1,
		}
		for p, next := range ends {
			req.AddBlock(topic, p, next, 0, "")
		}
		resp, err := coordinator.CommitOffset(req)
		if err != nil {
			return fmt.Errorf("OffsetCommit: %w", err)
		}
		for _, byPartition := range resp.Errors {
			for p, kerr := range byPartition {
				if kerr != sarama.ErrNoError {
					return fmt.Errorf("OffsetCommit partition %d: %v", p, kerr)
				}
			}
		}
		fetched, err := admin.ListConsumerGroupOffsets(groupID, map[string][]int32{topic: {0, 1, 2}})
		if err != nil {
			return fmt.Errorf("OffsetFetch: %w", err)
		}
		var total int64
		for p := int32(0); p < partitions; p++ {
			block := fetched.GetBlock(topic, p)
			if block == nil {
				return fmt.Errorf("OffsetFetch: no block for partition %d", p)
			}
			if block.Err != sarama.ErrNoError {
				return fmt.Errorf("OffsetFetch partition %d: %v", p, block.Err)
			}
			end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
			if err != nil {
				return fmt.Errorf("ListOffsets: %w", err)
			}
			if block.Offset != end {
				return fmt.Errorf("partition %d: committed %d, end offset %d", p, block.Offset, end)
			}
			total += block.Offset
		}
		if total != messages {
			return fmt.Errorf("committed offsets sum to %d, expected %d", total, messages)
		}
		return nil
	})

	run("second_member", func(deadline time.Time) error {
		var err error
		if c2, err = startMember(nil); err != nil {
			return err
		}
		var a1, a2 []int32
		for time.Now().Before(deadline.Add(-time.Second)) {
			// The first member's records channel must not block its session.
			for drained := false; !drained; {
				select {
				case <-records:
				default:
					drained = true
				}
			}
			if err := c1.firstError(); err != nil {
				return fmt.Errorf("first member: %w", err)
			}
			if err := c2.firstError(); err != nil {
				return fmt.Errorf("second member: %w", err)
			}
			a1, a2 = c1.assigned(), c2.assigned()
			owned := map[int32]int{}
			for _, p := range append(append([]int32(nil), a1...), a2...) {
				owned[p]++
			}
			overlap := false
			for _, n := range owned {
				if n > 1 {
					overlap = true
				}
			}
			if len(a1) > 0 && len(a2) > 0 && !overlap && len(owned) == partitions {
				c2.close()
				c1.close()
				c1, c2 = nil, nil
				return nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		return fmt.Errorf("assignments never settled: first %v, second %v", a1, a2)
	})

	// A member left running by a failed step could keep the group busy.
	for _, m := range []*member{c2, c1} {
		if m != nil {
			m.close()
		}
	}

	run("delete_topic", func(deadline time.Time) error {
		if err := admin.DeleteTopic(topic); err != nil {
			return fmt.Errorf("DeleteTopic: %w", err)
		}
		for {
			if err := client.RefreshMetadata(); err == nil {
				topics, _ := client.Topics()
				found := false
				for _, t := range topics {
					if t == topic {
						found = true
					}
				}
				if !found {
					return nil
				}
			}
			if time.Now().After(deadline) {
				return errors.New("topic still listed in metadata")
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	if client != nil {
		client.Close()
	}
	if admin != nil {
		admin.Close()
	}
	for _, s := range steps {
		if !passed(s) {
			os.Exit(1)
		}
	}
	os.Exit(0)
}
