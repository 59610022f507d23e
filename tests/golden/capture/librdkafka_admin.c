/*
 * librdkafka_admin: drive librdkafka's Admin API (CreateTopics, then
 * DeleteTopics) against a bootstrap server, for golden captures. kcat has no
 * admin commands, so this is the librdkafka client for those two APIs.
 *
 * Usage: librdkafka_admin BOOTSTRAP TOPIC
 * Build: cc -O2 -o librdkafka_admin librdkafka_admin.c -lrdkafka
 */
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#define TIMEOUT_MS 10000

static int wait_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type,
                       const char *what) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS);
        if (!ev) {
                fprintf(stderr, "%s: timed out\n", what);
                return 1;
        }
        int rc = 0;
        if (rd_kafka_event_type(ev) != type) {
                fprintf(stderr, "%s: unexpected event %s\n", what,
                        rd_kafka_event_name(ev));
                rc = 1;
        } else if (rd_kafka_event_error(ev)) {
                fprintf(stderr, "%s: %s\n", what,
                        rd_kafka_event_error_string(ev));
                rc = 1;
        } else {
                const rd_kafka_topic_result_t **res;
                size_t cnt = 0;
                if (type == RD_KAFKA_EVENT_CREATETOPICS_RESULT)
                        res = rd_kafka_CreateTopics_result_topics(
                            rd_kafka_event_CreateTopics_result(ev), &cnt);
                else
                        res = rd_kafka_DeleteTopics_result_topics(
                            rd_kafka_event_DeleteTopics_result(ev), &cnt);
                for (size_t i = 0; i < cnt; i++) {
                        printf("%s %s: %s\n", what,
                               rd_kafka_topic_result_name(res[i]),
                               rd_kafka_err2name(
                                   rd_kafka_topic_result_error(res[i])));
                        if (rd_kafka_topic_result_error(res[i]))
                                rc = 1;
                }
        }
        rd_kafka_event_destroy(ev);
        return rc;
}

int main(int argc, char **argv) {
        char errstr[512];
        if (argc != 3) {
                fprintf(stderr, "usage: %s BOOTSTRAP TOPIC\n", argv[0]);
                return 2;
        }
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(conf, "client.id", "golden-librdkafka-admin",
                              errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk =
            rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        int rc = 0;

        /* CreateTopics: 3 partitions, replication factor 1, one config. */
        rd_kafka_NewTopic_t *nt =
            rd_kafka_NewTopic_new(argv[2], 3, 1, errstr, sizeof(errstr));
        if (!nt) {
                fprintf(stderr, "NewTopic: %s\n", errstr);
                return 1;
        }
        rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
        rd_kafka_AdminOptions_t *opts =
            rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        rd_kafka_AdminOptions_set_operation_timeout(opts, 5000, errstr,
                                                    sizeof(errstr));
        rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
        rc |= wait_result(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT, "create");
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_NewTopic_destroy(nt);

        /* DeleteTopics */
        rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(argv[2]);
        opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
        rd_kafka_AdminOptions_set_operation_timeout(opts, 5000, errstr,
                                                    sizeof(errstr));
        rd_kafka_DeleteTopics(rk, &dt, 1, opts, q);
        rc |= wait_result(q, RD_KAFKA_EVENT_DELETETOPICS_RESULT, "delete");
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_DeleteTopic_destroy(dt);

        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
        return rc;
}
