// Package embedkafka runs the in-process Kafka-protocol broker (franz-go's kfake) that
// `hotline run` uses when no brokers are configured. It keeps its topics and the consumer
// group's offsets in a directory, every produce synced to disk, so a restart of `hotline run`
// (even after a SIGKILL) finds the events it had acknowledged and ingest continues where it
// stopped. It is the embedded default for trying hotline out; production runs real brokers.
package embedkafka

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Broker is a running embedded broker.
type Broker struct{ c *kfake.Cluster }

// Start listens on 127.0.0.1:port (0 picks a free port) with the given partitions per new topic,
// keeping its data in dir (reloaded when it already holds some).
func Start(dir string, port, partitions int) (*Broker, error) {
	c, err := kfake.NewCluster(
		kfake.DataDir(dir),
		kfake.SyncWrites(),
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(partitions),
	)
	if err != nil {
		return nil, fmt.Errorf("starting embedded kafka broker: %w", err)
	}
	return &Broker{c: c}, nil
}

// Addrs are the broker's host:port addresses.
func (b *Broker) Addrs() []string { return b.c.ListenAddrs() }

// Close stops the broker; its data stays in its directory.
func (b *Broker) Close() { b.c.Close() }
