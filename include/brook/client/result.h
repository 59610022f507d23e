#pragma once
// client::result<T>: a value or a client::error (GCC 12 has no std::expected).
//
// Decoded responses may hold views into the frame they were decoded from (a
// Fetch response's records). A result keeps that frame alive through
// keep_alive(); a caller that moves the value out and keeps using such views
// must hold on to keep_alive() as well.

#include <memory>
#include <stdexcept>
#include <utility>
#include <variant>

#include "brook/client/errc.h"

namespace brook::client {

template <typename T>
class result {
public:
    // Empty results exist only to be assigned (futures need them); they hold
    // an error without a code.
    result() : state_(std::in_place_index<1>, client::error({}, "empty result")) {}
    result(T value, std::shared_ptr<const void> keep_alive = {})
        : state_(std::in_place_index<0>, std::move(value)), keep_alive_(std::move(keep_alive)) {}
    result(client::error e) : state_(std::in_place_index<1>, std::move(e)) {}
    result(errc e, std::string detail = {}) : state_(std::in_place_index<1>, client::error(e, std::move(detail))) {}

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    // Throws std::logic_error naming the error when there is no value.
    T& value() & { return check(), std::get<0>(state_); }
    const T& value() const& { return check(), std::get<0>(state_); }
    T&& value() && { return check(), std::move(std::get<0>(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // Precondition: !has_value().
    const client::error& error() const& { return std::get<1>(state_); }
    client::error&& error() && { return std::get<1>(std::move(state_)); }
    // The error's message, or "ok".
    std::string message() const { return has_value() ? std::string("ok") : error().message(); }

    const std::shared_ptr<const void>& keep_alive() const noexcept { return keep_alive_; }

private:
    void check() const {
        if (!has_value()) throw std::logic_error("client::result has no value: " + error().message());
    }

    std::variant<T, client::error> state_;
    std::shared_ptr<const void> keep_alive_;
};

// The value of a request sent without expecting a response (Produce acks=0),
// and of operations that only succeed or fail.
struct done {};

}  // namespace brook::client
