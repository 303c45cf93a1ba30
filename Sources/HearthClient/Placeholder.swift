import AsyncHTTPClient
import CompressNIO
import NIOSSL
