/// Reads an HTTP/1.1 answer read to the connection's end: the status line, the headers, and the
/// body as long as content-length says (all of the rest without one). Nothing more: ccgd's server
/// always sends content-length and never chunks.
enum HTTPAnswerParser {
    static func parse(_ answer: [UInt8]) throws(SocketClientError.Reason) -> UnixSocketHTTPClient.Answer {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = answer.indices.first(where: { answer[$0...].starts(with: separator) }) else { throw .closedEarly }
        let head = String(decoding: answer[..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusWords = lines.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/1."), statusWords[1].count == 3,
            let status = Int(statusWords[1])
        else {
            throw .notHTTP
        }
        var body = Array(answer[(end + 4)...])
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { continue }
            guard let length = Int(parts[1].trimmingPrefix(" ")), length >= 0 else { throw .notHTTP }
            guard length <= body.count else { throw .closedEarly }
            body = Array(body[..<length])
        }
        return UnixSocketHTTPClient.Answer(status: status, body: body)
    }
}
