#include "brook/client/blocking_client.h"

#include <boost/asio/post.hpp>
#include <future>

namespace brook::client {

blocking_client::blocking_client(client_options options)
    : context_(1),
      work_(asio::make_work_guard(context_)),
      client_(std::make_unique<kafka_client>(context_.get_executor(), std::move(options))),
      thread_([this] { context_.run(); }) {}

blocking_client::~blocking_client() {
    // Closing on the client's thread fails whatever is outstanding and ends
    // the connections' reader and writer coroutines, so run() then returns
    // once the work guard is gone.
    std::promise<void> closed;
    asio::post(context_, [this, &closed] {
        client_->close();
        closed.set_value();
    });
    closed.get_future().wait();
    work_.reset();
    thread_.join();
    client_.reset();
}

}  // namespace brook::client
