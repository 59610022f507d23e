#pragma once
// response_for<Request>::type: the generated response type answering a
// generated request type. Derived from messages::request and
// messages::response, which list both in the same (api key) order.

#include <cstddef>
#include <type_traits>
#include <variant>

#include "brook/messages/dispatch.h"

namespace brook::client {

namespace detail {
template <typename T, typename Variant>
struct variant_index;
template <typename T, typename... Ts>
struct variant_index<T, std::variant<Ts...>> {
    static constexpr std::size_t value = [] {
        constexpr bool matches[] = {std::is_same_v<T, Ts>...};
        for (std::size_t i = 0; i < sizeof...(Ts); ++i) {
            if (matches[i]) return i;
        }
        return sizeof...(Ts);
    }();
};
}  // namespace detail

// No `type` for anything but a generated request, so overloads using
// response_for_t drop out of overload resolution instead of failing.
template <typename Request, typename = void>
struct response_for {};

template <typename Request>
struct response_for<Request, std::enable_if_t<(detail::variant_index<Request, messages::request>::value <
                                               std::variant_size_v<messages::request>)>> {
    using type =
        std::variant_alternative_t<detail::variant_index<Request, messages::request>::value, messages::response>;
    static_assert(type::api_key == Request::api_key, "messages::request and messages::response disagree");
};

template <typename Request>
using response_for_t = typename response_for<Request>::type;

}  // namespace brook::client
