/*
 * mock_cluster: host a one-broker librdkafka mock cluster for golden captures.
 *
 * Usage: mock_cluster [-t SECONDS] [-a APIKEY:MIN:MAX ...] [TOPIC[:PARTITIONS] ...]
 *
 * Creates a mock cluster with a single broker (id 1) listening on a random
 * 127.0.0.1 port, creates the listed topics (1 partition unless given,
 * replication factor 1), prints the bootstrap address ("127.0.0.1:PORT") on a
 * line of its own and then serves until SIGINT/SIGTERM or until -t SECONDS
 * have passed (default 600), whichever comes first.
 *
 * -a overrides the version range the mock advertises for an API it
 * implements (rd_kafka_mock_set_apiversion); by default the mock's own
 * ranges are used.
 *
 * The mock cluster needs an rd_kafka_t handle to live in; a producer handle
 * without bootstrap.servers is used, it never connects anywhere itself.
 *
 * Build: cc -O2 -o mock_cluster mock_cluster.c -lrdkafka
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

int main(int argc, char **argv) {
        char errstr[512];
        long lifetime = 600;
        int opt;
        struct {
                int key, min, max;
        } overrides[64];
        int override_cnt = 0;

        while ((opt = getopt(argc, argv, "t:a:")) != -1) {
                switch (opt) {
                case 't':
                        lifetime = strtol(optarg, NULL, 10);
                        break;
                case 'a':
                        if (override_cnt == 64 ||
                            sscanf(optarg, "%d:%d:%d",
                                   &overrides[override_cnt].key,
                                   &overrides[override_cnt].min,
                                   &overrides[override_cnt].max) != 3) {
                                fprintf(stderr, "bad -a argument: %s\n", optarg);
                                return 2;
                        }
                        override_cnt++;
                        break;
                default:
                        fprintf(stderr,
                                "usage: %s [-t SECONDS] [-a APIKEY:MIN:MAX ...] "
                                "[TOPIC[:PARTITIONS] ...]\n",
                                argv[0]);
                        return 2;
                }
        }

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* Keep the hosting handle quiet: it has nothing to do. */
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
                fprintf(stderr, "conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk =
            rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }

        rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, 1);
        if (!mcluster) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        for (int i = 0; i < override_cnt; i++) {
                rd_kafka_resp_err_t err = rd_kafka_mock_set_apiversion(
                    mcluster, (int16_t)overrides[i].key,
                    (int16_t)overrides[i].min, (int16_t)overrides[i].max);
                if (err) {
                        fprintf(stderr, "-a %d: %s\n", overrides[i].key,
                                rd_kafka_err2str(err));
                        return 1;
                }
        }

        for (int i = optind; i < argc; i++) {
                char name[256];
                int partitions = 1;
                const char *colon = strchr(argv[i], ':');
                size_t len = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
                if (len == 0 || len >= sizeof(name)) {
                        fprintf(stderr, "bad topic argument: %s\n", argv[i]);
                        return 2;
                }
                memcpy(name, argv[i], len);
                name[len] = '\0';
                if (colon)
                        partitions = atoi(colon + 1);
                if (partitions < 1)
                        partitions = 1;
                rd_kafka_resp_err_t err =
                    rd_kafka_mock_topic_create(mcluster, name, partitions, 1);
                if (err) {
                        fprintf(stderr, "topic %s: %s\n", name,
                                rd_kafka_err2str(err));
                        return 1;
                }
        }

        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);

        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        time_t deadline = time(NULL) + lifetime;
        while (!stop_requested && time(NULL) < deadline) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
