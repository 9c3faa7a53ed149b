Feature: Instant messaging with VMR participants and other endpoints
  Guide, "Instant messaging with VMR participants or with other endpoints": "Skype for Business
  / Lync users can send and receive instant messaging (IM) when they are connected to a Pexip
  VMR, or when in a direct person-to-person call with another non-Skype for Business / Lync
  client providing that chat is supported by that client device [...] Note that standard video
  conference system users will not see chat messages. When connected to a VMR, all Skype for
  Business / Lync users will see the content of any Skype for Business / Lync instant messaging
  (IM) conversations as usual. All messages from VMR participants are seen as coming from the VMR
  participant (e.g. meet.alice) but each individual message from the VMR is prefixed with that VMR
  participant's own display name e.g. "bob: hello"."
  DESIGN §2 "Instant messaging".

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Bob uses Skype for Business
    And Carol uses the web app

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: A message from Skype for Business reaches everyone who can chat
    Given Dave uses a SIP room system
    And Alice dials meet.bob@example.com
    And Bob dials meet.bob@example.com
    And Carol dials meet.bob@example.com
    And Dave dials meet.bob@example.com
    When Bob sends "hello"
    Then Alice reads "Bob: hello" from meet.bob@example.com
    And Carol reads "hello" from bob@example.com
    And Dave receives no chat

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: A message from the web app reaches the Skype for Business users from the meeting room
    Given Alice dials meet.bob@example.com
    And Carol dials meet.bob@example.com
    When Carol sends "hi all"
    Then Alice reads "Carol: hi all" from meet.bob@example.com

  Scenario: Senders do not get their own words back
    Given Alice dials meet.bob@example.com
    And Bob dials meet.bob@example.com
    When Alice sends "one"
    And Alice sends "two"
    Then Bob reads "Alice: one" and "Alice: two" in that order
    And Alice receives no chat

  Scenario: Typing is not a message
    Given Alice dials meet.bob@example.com
    And Bob dials meet.bob@example.com
    And Alice sends "first"
    When Alice starts typing
    Then Bob reads only "Alice: first"

  Scenario Outline: Standard room systems never see chat
    Given <system user> uses <system>
    And Alice dials meet.bob@example.com
    And <system user> dials meet.bob@example.com
    When Alice sends "can you read this?"
    Then <system user> receives no chat

    Examples:
      | system user | system               |
      | Grace       | a SIP room system    |

    # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
    @sim-only
    Examples: H.323
      | system user | system               |
      | Erin        | an H.323 room system |

  Scenario: A SIP app receives chat once it has chatted itself
    Given Frank uses a SIP video app
    And Alice dials meet.bob@example.com
    And Frank dials meet.bob@example.com
    When Alice sends "before"
    Then Frank receives no chat
    When Frank sends "I can chat"
    And Alice sends "after"
    Then Frank reads "Alice: after"
    And Alice reads "Frank: I can chat" from meet.bob@example.com

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: With chat turned off, messages go nowhere
    Given the administrator turns chat off in "Bob's room"
    And Alice dials meet.bob@example.com
    And Carol dials meet.bob@example.com
    When Carol sends "anyone?"
    Then Alice receives no chat

  Scenario: Skype for Business users in person-to-person calls chat as usual
    Given Alice calls Bob on Skype for Business
    And Bob answers
    When Alice sends "lunch?"
    Then Bob reads "lunch?" from alice@example.com

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: Chat passes through the gateway between two ends that can chat
    Given the gateway rule "Skype users":
      | priority          | 30                  |
      | match_string      | [a-z]+@example\.com |
      | outgoing_protocol | mssip               |
    And Carol dials alice@example.com
    And Alice answers
    When Carol sends "hi Alice"
    Then Alice reads "hi Alice"

  Scenario: Chat does not pass through the gateway to a room system
    Given Dave uses a SIP room system at room1@rooms.example.com
    And Alice dials room1@rooms.example.com
    When Alice sends "hello room"
    Then Dave receives no chat
